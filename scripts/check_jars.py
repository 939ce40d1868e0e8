#!/usr/bin/python3
"""Checks what the built jars contain (bin/test runs it after `mvn install`, and after the Spark module).

usage: scripts/check_jars.py core|spark

core:  target/jresnet-VERSION.jar, the artifact `mvn install` publishes as org.jresnet:jresnet, holds
       our classes only (an application resolves Jackson, picocli, ... from our pom, at its own
       versions, never a second copy from inside our jar), and its pom brings no SLF4J provider;
       target/jresnet.jar, the CLI that bin/jresnet runs, bundles them and starts.
spark: spark/target/jresnet-spark.jar, the jar spark-submit takes, holds our Jackson relocated only,
       and none of Spark's (or serve's) libraries and no SLF4J.
"""
import glob, os, subprocess, sys, zipfile
import xml.etree.ElementTree as ET

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
POM = "{http://maven.apache.org/POM/4.0.0}"
# SLF4J providers: a library that depends on one imposes it on every application using it.
SLF4J_PROVIDERS = {"slf4j-simple", "slf4j-reload4j", "slf4j-log4j12", "slf4j-jdk14", "slf4j-nop",
                   "logback-classic", "log4j-slf4j-impl", "log4j-slf4j2-impl"}

failures = []


def fail(msg):
    failures.append(msg)


def names(jar):
    with zipfile.ZipFile(jar) as z:
        return z.namelist()


def check_core():
    libs = [j for j in glob.glob(os.path.join(ROOT, "target", "jresnet-*.jar"))]
    if len(libs) != 1:
        fail(f"expected one library jar target/jresnet-VERSION.jar, found {len(libs)}: {libs}")
    else:
        lib = libs[0]
        entries = names(lib)
        if "org/jresnet/api/Network.class" not in entries:
            fail(f"{lib} lacks org/jresnet/api/Network.class")
        foreign = [e for e in entries if e.endswith(".class") and not e.startswith("org/jresnet/")]
        if foreign:
            fail(f"{lib} bundles {len(foreign)} classes of other libraries, e.g. {', '.join(foreign[:3])}")
        with zipfile.ZipFile(lib) as z:
            pom = ET.fromstring(z.read("META-INF/maven/org.jresnet/jresnet/pom.xml"))
        for dep in pom.iter(POM + "dependency"):
            artifact = dep.findtext(POM + "artifactId")
            scope = dep.findtext(POM + "scope") or "compile"
            optional = (dep.findtext(POM + "optional") or "false").strip() == "true"
            if artifact in SLF4J_PROVIDERS and scope in ("compile", "runtime") and not optional:
                fail(f"the library's pom gives its users the SLF4J provider {artifact} (make it optional)")
    fat = os.path.join(ROOT, "target", "jresnet.jar")
    if not os.path.isfile(fat):
        fail(f"{fat} (the CLI's jar) is missing")
        return
    entries = names(fat)
    for prefix in ("org/jresnet/cli/", "picocli/", "com/fasterxml/jackson/databind/", "io/javalin/",
                   "org/eclipse/jetty/server/", "org/slf4j/simple/"):
        if not any(e.startswith(prefix) for e in entries):
            fail(f"{fat} lacks {prefix}")
    java = os.path.join(os.environ["JAVA_HOME"], "bin", "java") if os.environ.get("JAVA_HOME") else "java"
    run = subprocess.run([java, "-jar", fat, "--version"], capture_output=True, text=True, timeout=120)
    if run.returncode != 0 or not run.stdout.startswith("jresnet "):
        fail(f"java -jar {fat} --version: exit {run.returncode}, {run.stdout.strip()!r} {run.stderr.strip()[-300:]!r}")


def check_spark():
    jar = os.path.join(ROOT, "spark", "target", "jresnet-spark.jar")
    if not os.path.isfile(jar):
        fail(f"{jar} is missing")
        return
    entries = names(jar)
    for prefix in ("org/jresnet/spark/SparkMain.class", "org/jresnet/api/", "picocli/",
                   "org/jresnet/shaded/jackson/databind/"):
        if not any(e.startswith(prefix) for e in entries):
            fail(f"{jar} lacks {prefix}")
    # Spark brings its own (Jackson, SLF4J and its log4j2 provider, protobuf); serve's are not reached.
    for prefix in ("com/fasterxml/", "org/slf4j/", "org/apache/logging/", "io/javalin/", "org/eclipse/jetty/",
                   "kotlin/", "com/google/protobuf/", "org/apache/spark/", "scala/"):
        found = [e for e in entries if e.startswith(prefix)]
        if found:
            fail(f"{jar} bundles {len(found)} entries under {prefix}, e.g. {found[0]}")


def main():
    if sys.argv[1:] == ["core"]:
        check_core()
    elif sys.argv[1:] == ["spark"]:
        check_spark()
    else:
        sys.exit(__doc__)
    for f in failures:
        print(f"check_jars: {f}", file=sys.stderr)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
