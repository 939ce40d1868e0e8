package org.jresnet.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.jresnet.cli.Main;
import org.jresnet.io.ModelFiles;
import org.jresnet.serve.ModelSpec;
import org.jresnet.serve.Server;
import org.jresnet.serve.ServerConfig;
import org.jresnet.train.RunLock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Both pages in a real browser (Debian's Chromium, headless) against a server on 127.0.0.1 with an
 * API key: the classify page asks for the key and shows the same top-1 class as {@code predict};
 * the runs page draws a run's curve and shows an epoch appended to its metrics.jsonl within seconds.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BrowserPagesTest {
    static final String KEY = "browser-test-key";
    static final Path MODEL = Path.of("models/resnet20-cifar10.safetensors");
    static final Path SAMPLE = Path.of("data/cifar10-sample.zip");
    /** The page polls every 2 s; an epoch must show within this. */
    static final Duration LIVE = Duration.ofSeconds(8);
    /** The test error's stroke in runs.js; its pixels on the canvas are the drawn curve. */
    static final int[] TEST_RGB = {0xd6, 0x27, 0x28};

    Path tmp;
    Server server;
    ChromeDriver browser;
    Path runs, run;
    RunLock lock;

    @BeforeAll void start(@TempDir Path dir) throws Exception {
        tmp = dir;
        runs = Files.createDirectories(tmp.resolve("runs"));
        run = Files.createDirectories(runs.resolve("cifar/resnet20-live"));
        Files.writeString(run.resolve("metrics.jsonl"), row(1, 0.62, 0.58) + row(2, 0.45, 0.41) + row(3, 0.36, 0.35));
        lock = RunLock.acquire(run);  // as `train` holds it: the page says "running"
        ModelFiles.Loaded l = ModelFiles.load(MODEL);
        ServerConfig cfg = ServerConfig.defaults().withPort(0).withWarmup(0).withAccess(KEY, null);
        server = Server.start(cfg, List.of(new ModelSpec("resnet20", l.model(), l.metadata(), null)),
                List.of(new WebPages(runs)), line -> { });
        browser = Browser.start(tmp.resolve("profile"));
    }

    @AfterAll void stop() throws Exception {
        if (browser != null) browser.quit();
        if (server != null) server.close();
        if (lock != null) lock.close();
    }

    static String row(int epoch, double trainErr, double testErr) {
        return String.format(java.util.Locale.ROOT, "{\"epoch\":%d,\"iteration\":%d,\"train_loss\":%.3f,\"train_err\":%.3f,"
                + "\"test_loss\":%.3f,\"test_err\":%.3f,\"lr\":0.1,\"elapsed_s\":%d}%n", epoch, 390 * epoch, 2 * trainErr,
                trainErr, 2 * testErr, testErr, 60 * epoch);
    }

    WebDriverWait waiting(Duration d) { return new WebDriverWait(browser, d, Duration.ofMillis(100)); }

    @Test void classifyPageShowsPredictsTopClass() throws Exception {
        Path image = sampleImage("test/cat/", tmp.resolve("cat.jpg"));
        String expected = predictTop1(image);

        browser.get(server.url() + "/");
        WebElement keyBox = waiting(Duration.ofSeconds(20)).until(ExpectedConditions.visibilityOfElementLocated(By.id("key-box")));
        keyBox.findElement(By.name("key")).sendKeys(KEY);
        keyBox.findElement(By.cssSelector("button[type=submit]")).click();
        waiting(Duration.ofSeconds(20)).until(ExpectedConditions.attributeToBe(By.tagName("body"), "data-ready", "true"));
        assertThat(browser.findElement(By.id("model-card")).getText()).contains("resnet20").contains("airplane");

        browser.findElement(By.id("files")).sendKeys(image.toAbsolutePath().toString());
        WebElement result = waiting(Duration.ofSeconds(60)).until(ExpectedConditions.presenceOfElementLocated(
                By.cssSelector("article.result[data-top1]")));
        assertThat(result.getAttribute("data-file")).isEqualTo("cat.jpg");
        assertThat(result.getAttribute("data-top1")).isEqualTo(expected);
        assertThat(result.findElements(By.cssSelector("ol.bars li"))).hasSize(5);
        assertThat(result.findElement(By.cssSelector("ol.bars li.top1 .cls")).getText()).isEqualTo(expected);
        // The key was asked for once and kept for the tab: a reload does not ask again.
        browser.navigate().refresh();
        waiting(Duration.ofSeconds(20)).until(ExpectedConditions.attributeToBe(By.tagName("body"), "data-ready", "true"));
        assertThat(browser.findElement(By.id("key-box")).isDisplayed()).isFalse();
    }

    @Test void runsPageDrawsTheCurveAndFollowsAppendedEpochs() throws Exception {
        String key = "sessionStorage.setItem('jresnet.apiKey', '" + KEY + "');";
        browser.get(server.url() + "/runs");
        browser.executeScript(key);
        browser.get(server.url() + "/runs#run=" + java.net.URLEncoder.encode("cifar/resnet20-live", StandardCharsets.UTF_8));
        By progress = By.id("run-progress");
        waiting(Duration.ofSeconds(20)).until(ExpectedConditions.attributeToBe(progress, "data-epochs", "3"));
        assertThat(browser.findElement(By.cssSelector("#run-status .badge")).getText()).isEqualTo("running");
        assertThat(browser.findElement(By.cssSelector("#run-list li[data-path='cifar/resnet20-live']")).getText())
                .contains("running");
        assertThat(testCurvePixels()).as("pixels of the test-error curve on the chart").isGreaterThan(50);

        // A line being written is waited for, not an error...
        Files.writeString(run.resolve("metrics.jsonl"), "{\"epoch\":4,\"iter", StandardOpenOption.APPEND);
        Thread.sleep(3000);
        assertThat(browser.findElement(progress).getAttribute("data-epochs")).isEqualTo("3");
        assertThat(browser.findElement(By.id("run-error")).getText()).isEmpty();
        // ...and shown once it is complete.
        String rest = row(4, 0.30, 0.31).substring("{\"epoch\":4,\"iter".length());
        Files.writeString(run.resolve("metrics.jsonl"), rest, StandardOpenOption.APPEND);
        long t0 = System.nanoTime();
        waiting(LIVE).until(ExpectedConditions.attributeToBe(progress, "data-epochs", "4"));
        System.out.printf("runs page showed the appended epoch after %.1f s%n", (System.nanoTime() - t0) / 1e9);
        assertThat(browser.findElements(By.cssSelector("#epochs tr[data-epoch='4']"))).hasSize(1);
        assertThat(testCurvePixels()).isGreaterThan(50);
    }

    /** Pixels of the error chart's canvas in the test-error colour. */
    long testCurvePixels() {
        Object n = ((JavascriptExecutor) browser).executeScript(
                "const c = document.querySelector('#chart-err canvas');"
                + "if (!c) return -1;"
                + "const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; let n = 0;"
                + "for (let i = 0; i < d.length; i += 4) {"
                + "  if (Math.abs(d[i] - arguments[0]) < 24 && Math.abs(d[i + 1] - arguments[1]) < 24"
                + "      && Math.abs(d[i + 2] - arguments[2]) < 24 && d[i + 3] > 200) n++; }"
                + "return n;", TEST_RGB[0], TEST_RGB[1], TEST_RGB[2]);
        return ((Number) n).longValue();
    }

    /** The first image under {@code prefix} in the bundled CIFAR-10 sample, written to {@code out}. */
    static Path sampleImage(String prefix, Path out) throws Exception {
        try (InputStream in = Files.newInputStream(SAMPLE); ZipInputStream z = new ZipInputStream(in)) {
            for (ZipEntry e; (e = z.getNextEntry()) != null; ) {
                if (e.getName().startsWith(prefix) && !e.isDirectory()) {
                    Files.write(out, z.readAllBytes());
                    return out;
                }
            }
        }
        throw new IllegalStateException("no " + prefix + " image in " + SAMPLE);
    }

    /** {@code jresnet predict --json} of the same file: its top-1 class. */
    static String predictTop1(Path image) throws Exception {
        PrintStream saved = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int code;
        try (PrintStream p = new PrintStream(buf, true, StandardCharsets.UTF_8)) {
            System.setOut(p);
            code = Main.execute("predict", "--weights", MODEL.toString(), "--json", "--top", "5", image.toString());
        } finally {
            System.setOut(saved);
        }
        assertThat(code).isZero();
        JsonNode out = new ObjectMapper().readTree(buf.toString(StandardCharsets.UTF_8));
        JsonNode first = out.isArray() ? out.get(0) : out;
        return first.get("top").get(0).get("class").asText();
    }
}
