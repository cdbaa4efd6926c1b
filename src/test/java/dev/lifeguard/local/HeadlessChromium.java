package dev.lifeguard.local;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Debian's headless Chromium driven through its own chromedriver (packages {@code chromium} and
 * {@code chromium-driver}), for tests that read a page as a person sees it. Both executables are
 * named explicitly, so Selenium never looks anything up on the network. Missing Chromium fails
 * the build on CI (CI=true) and skips, with the reason, elsewhere.
 *
 * <p>The page is read with small scripts ({@link #script}) rather than element handles: a
 * script reads the DOM as it is at that instant, so a table redrawn by the page's own refresh
 * between two reads cannot leave the test holding a stale element.
 */
public final class HeadlessChromium implements AutoCloseable {
    /**
     * Selenium warns on every start that it has no DevTools classes for this Chromium's version;
     * only {@link #screenshot} uses DevTools, through chromedriver, which needs none. Held here so
     * the level set on it is not collected away.
     */
    private static final Logger CDP_VERSIONS = Logger.getLogger("org.openqa.selenium.devtools.CdpVersionFinder");

    private final ChromeDriver driver;

    private HeadlessChromium(ChromeDriver driver) {
        this.driver = driver;
    }

    /** Starts a headless browser with a window of the given size, its driver's log in {@code log}. */
    public static HeadlessChromium start(int width, int height, Path log) throws IOException {
        String browser = executable("chromium", "/usr/bin/chromium");
        String chromedriver = executable("chromedriver", "/usr/bin/chromedriver");
        if (browser == null || chromedriver == null) {
            String reason = "chromium or chromedriver is missing; install them with:"
                    + " apt-get install -y --no-install-recommends chromium chromium-driver";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                Assertions.fail(reason);
            }
            Assumptions.abort(reason);
        }
        Files.createDirectories(log.getParent());
        CDP_VERSIONS.setLevel(Level.SEVERE);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(chromedriver))
                .usingAnyFreePort()
                .withLogFile(log.toFile())
                .build();
        ChromeOptions options = new ChromeOptions().setBinary(browser);
        // --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start.
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=" + width + "," + height, "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-default-apps", "--hide-scrollbars");
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(20)).scriptTimeout(Duration.ofSeconds(10));
        return new HeadlessChromium(driver);
    }

    private static String executable(String name, String usual) {
        if (Files.isExecutable(Path.of(usual))) {
            return usual;
        }
        return MotoServer.find(name);
    }

    public void open(URI page) {
        driver.get(page.toString());
    }

    /** Runs a script in the page ({@code return …;}) with {@code arguments[0…]}, and gives what it returns. */
    public Object script(String script, Object... arguments) {
        return ((JavascriptExecutor) driver).executeScript(script, arguments);
    }

    /** The visible text of the first element matching a CSS selector, or null when none matches. */
    public String text(String selector) {
        return (String) script("const e = document.querySelector(arguments[0]); return e ? e.innerText : null;", selector);
    }

    /** An attribute of the first element matching a CSS selector, or null when none matches or it is not set. */
    public String attribute(String selector, String attribute) {
        return (String) script("const e = document.querySelector(arguments[0]); return e ? e.getAttribute(arguments[1]) : null;",
                selector, attribute);
    }

    /** The value of a data-* attribute on each element matching a CSS selector, in document order. */
    @SuppressWarnings("unchecked")
    public List<String> attributes(String selector, String attribute) {
        return (List<String>) script("return [...document.querySelectorAll(arguments[0])].map(e => e.getAttribute(arguments[1]));",
                selector, attribute);
    }

    /** A computed style property of the first element matching a CSS selector. */
    public String style(String selector, String property) {
        return (String) script("return getComputedStyle(document.querySelector(arguments[0])).getPropertyValue(arguments[1]);",
                selector, property);
    }

    /** Writes a PNG of the whole page, beyond the window's height, to {@code file}. */
    public void screenshot(Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Number width = (Number) script("return document.documentElement.scrollWidth;");
        Number height = (Number) script("return document.documentElement.scrollHeight;");
        Map<String, Object> shot = driver.executeCdpCommand("Page.captureScreenshot", Map.of(
                "format", "png", "captureBeyondViewport", true,
                "clip", Map.of("x", 0, "y", 0, "width", width, "height", height, "scale", 1)));
        Files.write(file, Base64.getDecoder().decode((String) shot.get("data")));
    }

    @Override
    public void close() {
        driver.quit();
    }
}
