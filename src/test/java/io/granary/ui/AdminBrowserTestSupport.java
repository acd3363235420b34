package io.granary.ui;

import java.util.Map;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.springframework.core.ParameterizedTypeReference;

/**
 * Helpers of the admin screens' browser tests: buttons by their text, typing into a field,
 * the same steps again in a dark-mode browser, and reading JSON from the API.
 */
abstract class AdminBrowserTestSupport extends BrowserTestSupport {

    /** What the browser showed when a test failed, as failed-<test>.png, to see why. */
    @RegisterExtension
    final TestWatcher failures = new TestWatcher() {
        @Override
        public void testFailed(ExtensionContext context, Throwable cause) {
            if (browser != null) {
                screenshot("failed-" + context.getRequiredTestMethod().getName());
            }
        }
    };

    /** The visible button whose text is {@code text}. */
    protected WebElement button(String text) {
        return waiting().until(driver -> driver.findElements(By.xpath("//button[normalize-space()='" + text + "']")).stream()
                .filter(WebElement::isDisplayed).findFirst().orElse(null));
    }

    /** Replaces what a field holds, as a person would: select all, then type. */
    protected WebElement type(String css, String text) {
        WebElement field = visible(css);
        field.sendKeys(Keys.chord(Keys.CONTROL, "a"), Keys.BACK_SPACE);
        if (!text.isEmpty()) {
            field.sendKeys(text);
        }
        return field;
    }

    /** Runs {@code steps} in a second browser that prefers dark mode, then goes back to the first. */
    protected void inDarkMode(Runnable steps) {
        WebDriver light = browser;
        browser = open(true);
        try {
            steps.run();
        } finally {
            browser.quit();
            browser = light;
        }
    }

    protected Map<String, Object> getJson(String path, String header, String value) {
        return http.get().uri(path).header(header, value).exchange().expectStatus().isOk()
                .expectBody(new ParameterizedTypeReference<Map<String, Object>>() { }).returnResult().getResponseBody();
    }
}
