package dev.vecgpt.model.cli;

import dev.vecgpt.core.KernelProvider;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import picocli.CommandLine;

/** {@code vecgpt --version}: the project's version and the kernels this JVM would use. */
final class VersionInfo implements CommandLine.IVersionProvider {

    /** The version the build wrote into version.properties. */
    static String version() {
        try (InputStream in = VersionInfo.class.getResourceAsStream("version.properties")) {
            Properties p = new Properties();
            if (in != null) {
                p.load(in);
            }
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String[] getVersion() {
        return new String[] {"vecgpt " + version(), KernelProvider.description(),
                "Java " + Runtime.version() + " (" + System.getProperty("java.home") + ")"};
    }
}
