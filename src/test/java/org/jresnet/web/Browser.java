package org.jresnet.web;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Debian's Chromium driven by Debian's chromedriver, both at fixed paths (CI installs the
 * {@code chromium} and {@code chromium-driver} packages): nothing is downloaded at run time.
 * Headless, without the sandbox and /dev/shm (root, small containers), with a fresh profile.
 */
final class Browser {
    static final String CHROMIUM = "/usr/bin/chromium", CHROMEDRIVER = "/usr/bin/chromedriver";
    static final int WIDTH = 1400, HEIGHT = 1000;
    /** chromedriver's and the browser's messages (D-Bus complaints in containers): read them when a test fails. */
    static final Path LOG = Path.of("target/chromedriver.log");

    private Browser() {}

    static ChromeDriver start(Path profile) throws IOException {
        for (String f : new String[] {CHROMIUM, CHROMEDRIVER}) {
            if (!Files.isExecutable(Path.of(f))) {
                throw new IllegalStateException(f + " is missing: install Debian's chromium and chromium-driver (bin/test does)");
            }
        }
        System.setProperty("webdriver.chrome.driver", CHROMEDRIVER);
        ChromeOptions o = new ChromeOptions();
        o.setBinary(CHROMIUM);
        o.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--disable-extensions", "--log-level=3", "--window-size=" + WIDTH + "," + HEIGHT,
                "--user-data-dir=" + Files.createDirectories(profile));
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(new File(CHROMEDRIVER))
                .usingAnyFreePort().withLogFile(LOG.toFile()).build();
        ChromeDriver d = new ChromeDriver(service, o);
        d.manage().timeouts().scriptTimeout(Duration.ofSeconds(30));
        return d;
    }
}
