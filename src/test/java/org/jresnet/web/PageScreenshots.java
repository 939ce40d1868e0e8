package org.jresnet.web;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The README's screenshots of a running server (not a test): {@code PageScreenshots URL OUT_DIR
 * IMAGE...} classifies the images on {@code /} and opens {@code /runs} on the run being trained,
 * then saves {@code OUT_DIR/classify-page.png} and {@code OUT_DIR/runs-page.png}. How it is run:
 * docs/web-pages.md.
 */
public final class PageScreenshots {
    private PageScreenshots() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("usage: PageScreenshots URL OUT_DIR IMAGE...");
            System.exit(2);
        }
        String url = args[0];
        Path out = Files.createDirectories(Path.of(args[1]));
        ChromeDriver b = Browser.start(Files.createTempDirectory("jresnet-shots"));
        try {
            WebDriverWait wait = new WebDriverWait(b, Duration.ofSeconds(60));
            b.get(url + "/");
            wait.until(ExpectedConditions.attributeToBe(By.tagName("body"), "data-ready", "true"));
            for (int i = 2; i < args.length; i++) {
                b.findElement(By.id("files")).sendKeys(Path.of(args[i]).toAbsolutePath().toString());
                int n = i - 1;
                wait.until(d -> d.findElements(By.cssSelector("article.result[data-top1]")).size() == n);
            }
            save(b, out.resolve("classify-page.png"));
            b.get(url + "/runs");
            wait.until(ExpectedConditions.attributeToBe(By.tagName("body"), "data-listed", "true"));
            wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#chart-err canvas")));
            Thread.sleep(1000);  // the charts' first frame
            save(b, out.resolve("runs-page.png"));
        } finally {
            b.quit();
        }
    }

    private static void save(ChromeDriver b, Path file) throws Exception {
        Path shot = b.getScreenshotAs(OutputType.FILE).toPath();
        Files.move(shot, file, StandardCopyOption.REPLACE_EXISTING);
        System.out.println("saved " + file);
    }
}
