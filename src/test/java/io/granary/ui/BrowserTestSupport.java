package io.granary.ui;

import io.granary.api.ApiTestSupport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Base of the dashboard's end-to-end tests: a real Granary (as {@link ApiTestSupport}) and a real
 * headless Chromium, Debian's {@code chromium} driven through {@code chromium-driver} (no
 * download: Selenium Manager is never asked). Skipped, with a message, where either is missing.
 * {@link #screenshot} writes into {@code target/ui-screenshots/}.
 */
public abstract class BrowserTestSupport extends ApiTestSupport {

    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    static final Path SCREENSHOTS = Path.of("target", "ui-screenshots");

    protected static WebDriver browser;

    @BeforeAll
    static void startBrowser() {
        Assumptions.assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "No browser: install Debian's chromium and chromium-driver (apt-get install chromium chromium-driver)");
        browser = open(false);
    }

    /** A new browser, in dark mode when asked; the caller quits it. */
    protected static WebDriver open(boolean dark) {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toString());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--window-size=1280,900",
                "--disable-dev-shm-usage");
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).build();
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(150));
        if (dark) {
            // What the system's dark setting does to a page: prefers-color-scheme: dark.
            driver.executeCdpCommand("Emulation.setEmulatedMedia",
                    Map.of("features", List.of(Map.of("name", "prefers-color-scheme", "value", "dark"))));
        }
        return driver;
    }

    @AfterAll
    static void stopBrowser() {
        if (browser != null) {
            browser.quit();
            browser = null;
        }
    }

    /** The dashboard's address for {@code path} (starting with {@code /ui}). */
    protected String ui(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    protected WebDriverWait waiting() {
        // A re-render can replace an element between finding and reading it: look again.
        return (WebDriverWait) new WebDriverWait(browser, Duration.ofSeconds(20)).ignoring(StaleElementReferenceException.class);
    }

    /** Waits for an element, by CSS selector, to be visible. */
    protected WebElement visible(String css) {
        return waiting().until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(css)));
    }

    /** Waits for a visible element whose text contains {@code text}. */
    protected WebElement withText(String css, String text) {
        return waiting().until(driver -> driver.findElements(By.cssSelector(css)).stream()
                .filter(element -> element.isDisplayed() && element.getText().contains(text)).findFirst().orElse(null));
    }

    /**
     * Ends any session the browser kept from an earlier test: the refresh cookie outlives a test
     * that did not log out, and cookies are shared by every port of a host.
     */
    @BeforeEach
    void forgetSessions() {
        if (browser != null) {
            forgetSession(browser);
        }
    }

    protected static void forgetSession(WebDriver driver) {
        ((ChromeDriver) driver).executeCdpCommand("Network.clearBrowserCookies", Map.of());
    }

    /** Logs in through the login screen of a fresh page (no earlier session) and waits for the buckets screen. */
    protected void logIn(String username, String password) {
        forgetSession(browser);
        browser.get(ui("/ui/login"));
        // A tab keeps a system admin's tenant across pages (sessionStorage): start without one.
        ((JavascriptExecutor) browser).executeScript("sessionStorage.clear()");
        visible("input[name=username]").sendKeys(username);
        browser.findElement(By.cssSelector("input[name=password]")).sendKeys(password);
        browser.findElement(By.cssSelector("button[type=submit]")).click();
        withText("h1", "Buckets");
    }

    /** The browser's console messages so far, for assertions about errors and blocked scripts. */
    protected List<String> console() {
        return browser.manage().logs().get(LogType.BROWSER).getAll().stream().map(Object::toString).toList();
    }

    /** Saves what the browser shows as {@code target/ui-screenshots/<name>.png}. */
    protected static Path screenshot(WebDriver driver, String name) {
        try {
            Files.createDirectories(SCREENSHOTS);
            Path file = SCREENSHOTS.resolve(name + ".png");
            Path taken = ((org.openqa.selenium.TakesScreenshot) driver).getScreenshotAs(OutputType.FILE).toPath();
            Files.move(taken, file, StandardCopyOption.REPLACE_EXISTING);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    protected Path screenshot(String name) {
        return screenshot(browser, name);
    }
}
