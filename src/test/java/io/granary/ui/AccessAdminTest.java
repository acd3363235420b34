package io.granary.ui;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.support.ui.Select;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;

/** Keys, S3 credentials, users, tenants and the user's own account through the dashboard. */
class AccessAdminTest extends AdminBrowserTestSupport {

    @Test
    void issuesAnApiKeyThatWorksUntilItIsRevoked() {
        String tenant = createTenant(unique("ak"));
        String admin = createKey(tenant, List.of("admin"), null);
        String bucket = unique("data");
        createBucket(admin, bucket, Map.of());
        String user = unique("kim");
        createUser(tenant, user, "tenant-admin");

        logIn(user, USER_PASSWORD);
        browser.findElement(By.linkText("Keys")).click();
        withText("tbody tr", "test key");
        button("New API key…").click();
        type("input[name=name]", "website");
        browser.findElement(By.cssSelector("input[name=permissions][value=list]")).click();
        browser.findElement(By.xpath("//label[contains(., 'Only these buckets')]/input")).click();
        browser.findElement(By.cssSelector("input[name=buckets][value='" + bucket + "']")).click();
        button("Create API key").click();
        String secret = visible("input[data-secret='API key']").getAttribute("value");
        assertThat(secret).startsWith("grk_");
        assertThat(visible(".secret .warning").getText()).contains("shown only once");
        button("Copy").click();
        withText(".secret [role=status]", "copied");
        screenshot("keys-secret-light");

        // The key from the page works, with what was chosen: list, on that bucket only.
        http.get().uri("/v1/buckets/{b}/objects", bucket).header("X-Api-Key", secret).exchange().expectStatus().isOk().expectBody();
        http.put().uri("/v1/buckets/{b}/objects/x.txt", bucket).header("X-Api-Key", secret)
                .contentType(MediaType.TEXT_PLAIN).bodyValue("x").exchange().expectStatus().isForbidden().expectBody();

        button("I have saved it").click();
        assertThat(withText("tbody tr", "website").getText()).contains("read, list", bucket, "never");
        screenshot("keys-light");
        browser.findElement(By.cssSelector("button[aria-label='Revoke website']")).click();
        visible("dialog[open] button.danger").click();
        waiting().until(driver -> driver.findElements(By.xpath("//tr[contains(., 'website')]")).isEmpty());
        http.get().uri("/v1/buckets/{b}/objects", bucket).header("X-Api-Key", secret).exchange()
                .expectStatus().isUnauthorized().expectBody();

        // S3 credentials: the same pattern, two values shown once.
        button("New S3 credential…").click();
        type("section.credentials:nth-of-type(2) input[name=name]", "backup");
        button("Create S3 credential").click();
        assertThat(visible("input[data-secret='Access key id']").getAttribute("value")).startsWith("GR").hasSize(20);
        assertThat(visible("input[data-secret='Secret access key']").getAttribute("value")).hasSize(40);
        button("I have saved it").click();
        withText("tbody tr", "backup");

        inDarkMode(() -> {
            logIn(user, USER_PASSWORD);
            browser.findElement(By.linkText("Keys")).click();
            button("New API key…").click();
            type("input[name=name]", "dark");
            button("Create API key").click();
            visible("input[data-secret='API key']");
            screenshot("keys-secret-dark");
            button("I have saved it").click();
            withText("tbody tr", "dark");
            screenshot("keys-dark");
        });
    }

    @Test
    void createsDisablesAndChangesUsers() {
        String tenant = createTenant(unique("us"));
        String admin = unique("ada");
        createUser(tenant, admin, "tenant-admin");
        String newcomer = unique("neo");

        logIn(admin, USER_PASSWORD);
        browser.findElement(By.linkText("Users")).click();
        button("New user…").click();
        type("input[name=username]", newcomer);
        type("input[name=password]", "first-password-1");
        button("Create user").click();
        withText("tbody tr", newcomer);
        String id = userId(newcomer);

        browser.findElement(By.xpath("//tr[contains(., '" + newcomer + "')]//button[contains(., 'Disable')]")).click();
        withText("tbody tr", "disabled");
        assertThat(rootGet("/v1/users/" + id)).containsEntry("disabled", true);
        expectProblem(http.post().uri("/v1/auth/login").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("username", newcomer, "password", "first-password-1")).exchange(),
                HttpStatus.UNAUTHORIZED, "invalid_credentials");

        new Select(visible("select[aria-label='Role of " + newcomer + "']")).selectByValue("tenant-admin");
        waiting().until(driver -> "tenant-admin".equals(rootGet("/v1/users/" + id).get("role")));
        browser.findElement(By.xpath("//tr[contains(., '" + newcomer + "')]//button[contains(., 'Enable')]")).click();
        waiting().until(driver -> Boolean.FALSE.equals(rootGet("/v1/users/" + id).get("disabled")));

        browser.findElement(By.xpath("//tr[contains(., '" + newcomer + "')]//button[contains(., 'Reset password')]")).click();
        type("dialog input[name=newPassword]", "second-password-2");
        button("Set password").click();
        waiting().until(driver -> browser.findElements(By.cssSelector("dialog[open]")).isEmpty());
        assertThat(login(newcomer, "second-password-2")).containsKey("accessToken");
        screenshot("users-light");

        // The account screen: a wrong current password is refused in the API's words; a right one ends the session.
        browser.findElement(By.linkText("Account")).click();
        visible("input[name=current]").sendKeys("wrong password!");
        browser.findElement(By.cssSelector("input[name=password]")).sendKeys("third-password-3");
        browser.findElement(By.cssSelector("input[name=repeat]")).sendKeys("third-password-3");
        button("Change password").click();
        assertThat(visible("[role=alert]").getText()).isNotBlank();
        type("input[name=current]", USER_PASSWORD);
        button("Change password").click();
        withText("[role=status]", "Password changed");
        button("Log in again").click();
        visible("input[name=username]");
        logIn(admin, "third-password-3");

        inDarkMode(() -> {
            logIn(admin, "third-password-3");
            browser.findElement(By.linkText("Users")).click();
            withText("tbody tr", newcomer);
            screenshot("users-dark");
        });
    }

    @Test
    void aSystemAdminManagesTenantsAndWorksInOne() {
        String system = unique("sys");
        createUser(null, system, "system-admin");
        String name = unique("acme");

        logIn(system, USER_PASSWORD);
        withText(".empty", "Choose a tenant");
        browser.findElement(By.linkText("Tenants")).click();
        type("input[name=name]", name);
        button("Create tenant").click();
        withText("tbody tr", name);
        browser.findElement(By.xpath("//tr[contains(., '" + name + "')]//button[contains(., 'Quotas')]")).click();
        type("dialog input[name=quotaBytes]", "10 GB");
        type("dialog input[name=quotaObjects]", "1000");
        button("Save quotas").click();
        withText("tbody tr", "1,000");
        Map<String, Object> stored = rootGet("/v1/tenants/" + name);
        assertThat(stored).containsEntry("quotaBytes", 10_000_000_000L).containsEntry("quotaObjects", 1000);
        screenshot("tenants-light");

        // Working in the tenant: its screens answer for it, through X-Granary-Tenant.
        browser.findElement(By.xpath("//tr[contains(., '" + name + "')]//button[contains(., 'Work in')]")).click();
        assertThat(new Select(visible(".tenant-picker select")).getFirstSelectedOption().getText()).isEqualTo(name);
        browser.findElement(By.linkText("Buckets")).click();
        withText(".empty", "No buckets yet");

        // The choice outlives a reload (the tab keeps the tenant's name, nothing else) ...
        assertThat(sessionStorage()).isEqualTo(Map.of("granary.tenant", name));
        browser.navigate().refresh();
        withText(".empty", "No buckets yet");
        assertThat(new Select(visible(".tenant-picker select")).getFirstSelectedOption().getText()).isEqualTo(name);
        // ... but not a logout.
        button("Log out").click();
        visible("input[name=username]");
        assertThat(sessionStorage()).isEmpty();
        visible("input[name=username]").sendKeys(system);
        browser.findElement(By.cssSelector("input[name=password]")).sendKeys(USER_PASSWORD);
        browser.findElement(By.cssSelector("button[type=submit]")).click();
        withText(".empty", "Choose a tenant");
        new Select(visible(".tenant-picker select")).selectByVisibleText(name);
        withText(".empty", "No buckets yet");
        browser.findElement(By.linkText("Tenants")).click();

        inDarkMode(() -> {
            logIn(system, USER_PASSWORD);
            browser.findElement(By.linkText("Tenants")).click();
            withText("tbody tr", name);
            screenshot("tenants-dark");
        });

        browser.findElement(By.xpath("//tr[contains(., '" + name + "')]//button[contains(., 'Delete')]")).click();
        type("dialog input[name=confirm]", name);
        button("Delete tenant").click();
        waiting().until(driver -> browser.findElements(By.xpath("//tr[contains(., '" + name + "')]")).isEmpty());
        expectProblem(asRoot(http.get().uri("/v1/tenants/" + name)).exchange(), HttpStatus.NOT_FOUND, "tenant_not_found");
        // A reload does not bring back a tenant that is gone.
        browser.navigate().refresh();
        withText("h1", "Tenants");
        waiting().until(driver -> new Select(visible(".tenant-picker select")).getFirstSelectedOption().getText().contains("none"));
        assertThat(sessionStorage()).isEmpty();
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> sessionStorage() {
        return (Map<String, Object>) ((JavascriptExecutor) browser).executeScript(
                "return Object.fromEntries(Object.entries(sessionStorage));");
    }

    private Map<String, Object> rootGet(String path) {
        return getJson(path, "Authorization", "Bearer " + ROOT_KEY);
    }

    @SuppressWarnings("unchecked")
    private String userId(String username) {
        List<Map<String, Object>> users = (List<Map<String, Object>>) rootGet("/v1/users").get("users");
        return (String) users.stream().filter(each -> username.equals(each.get("username"))).findFirst().orElseThrow().get("id");
    }
}
