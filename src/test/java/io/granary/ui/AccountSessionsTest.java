package io.granary.ui;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebDriver;

/**
 * The account screen's sessions: one user signed in in two browsers sees both, this one marked;
 * ending the other (or every other) sends that browser back to the login screen on its next load.
 */
class AccountSessionsTest extends AdminBrowserTestSupport {

    @Test
    void endingAnotherBrowsersSessionSendsItBackToTheLogin() {
        String tenant = createTenant(unique("as"));
        String user = unique("sam");
        createUser(tenant, user, "member");
        logIn(user, USER_PASSWORD);

        WebDriver second = open(false);
        try {
            inBrowser(second, () -> logIn(user, USER_PASSWORD));

            browser.findElement(By.linkText("Account")).click();
            waiting().until(driver -> driver.findElements(By.cssSelector(".session-list li")).size() == 2);
            assertThat(visible(".session-list li.current").getText()).contains("This session", "Chrome on Linux", "Dashboard sign-in");
            assertThat(browser.findElements(By.xpath("//li[contains(@class, 'current')]//button"))).isEmpty();
            screenshotWhole("account-light");

            browser.findElement(By.cssSelector(".session-list li:not(.current) button")).click();
            withText("dialog[open] h2", "End this session?");
            button("End session").click();
            waiting().until(driver -> driver.findElements(By.cssSelector(".session-list li")).size() == 1);
            withText(".sessions .empty", "No other session");

            // The second browser's cookie is refused now: a reload lands on the login screen.
            inBrowser(second, () -> {
                browser.get(ui("/ui/account"));
                visible("input[name=username]");
            });
            // This one is unaffected.
            browser.navigate().refresh();
            withText(".session-list li.current", "This session");
        } finally {
            second.quit();
        }
    }

    @Test
    void logOutEverywhereElseByKeyboardInDarkModeAndNarrow() {
        String tenant = createTenant(unique("as"));
        String user = unique("kai");
        createUser(tenant, user, "member");
        logIn(user, USER_PASSWORD);

        inDarkMode(() -> {
            logIn(user, USER_PASSWORD);
            browser.get(ui("/ui/account"));
            waiting().until(driver -> driver.findElements(By.cssSelector(".session-list li")).size() == 2);
            screenshotWhole("account-dark");
            // Everywhere else, from the dark browser, by keyboard: the first browser's session ends.
            button("Log out everywhere else").sendKeys(Keys.ENTER);
            withText("dialog[open] h2", "Log out everywhere else?");
            button("Log out 1 session").sendKeys(Keys.ENTER);
            waiting().until(driver -> driver.findElements(By.cssSelector(".session-list li")).size() == 1);

            // Usable on a phone: nothing wider than the screen.
            browser.manage().window().setSize(new Dimension(360, 800));
            Object wide = ((JavascriptExecutor) browser).executeScript("return document.documentElement.scrollWidth");
            assertThat(((Number) wide).intValue()).isLessThanOrEqualTo(360);
        });
        browser.get(ui("/ui/account"));
        visible("input[name=username]");
    }

    /** A screenshot of the whole screen, however long: the window grows to the page's height for it. */
    private void screenshotWhole(String name) {
        Dimension before = browser.manage().window().getSize();
        Object height = ((JavascriptExecutor) browser).executeScript("return document.documentElement.scrollHeight");
        browser.manage().window().setSize(new Dimension(before.getWidth(), ((Number) height).intValue() + 150));
        screenshot(name);
        browser.manage().window().setSize(before);
    }

    /** Runs {@code steps} with {@code other} as the browser the helpers drive, then goes back. */
    private void inBrowser(WebDriver other, Runnable steps) {
        WebDriver first = browser;
        browser = other;
        try {
            steps.run();
        } finally {
            browser = first;
        }
    }
}
