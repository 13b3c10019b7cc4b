package dev.tellmej.device;

/**
 * Why the OpenCL device cannot run or did not finish a call: one subclass per kind of fault, each with a message
 * that says what to do. (A call the device refuses before it runs is a {@link CallRefusedException} instead.)
 */
public abstract sealed class OpenClException extends RuntimeException
        permits OpenClException.Unavailable, OpenClException.NoSuchDevice, OpenClException.BuildFailed,
        OpenClException.BadBinary, OpenClException.OutOfMemory, OpenClException.Timeout, OpenClException.Failed {
    OpenClException(String message, Throwable cause) {
        super(message, cause);
    }

    /** No OpenCL platform: the loader or every driver (ICD) is missing. */
    public static final class Unavailable extends OpenClException {
        Unavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The platform or device asked for is not there, or the choice is ambiguous; the message lists them all. */
    public static final class NoSuchDevice extends OpenClException {
        NoSuchDevice(String message) {
            super(message, null);
        }
    }

    /** The program did not compile; the message holds the build log. */
    public static final class BuildFailed extends OpenClException {
        private final String log;

        BuildFailed(String message, String log) {
            super(message + "\n" + log, null);
            this.log = log;
        }

        /** The compiler's build log. */
        public String log() {
            return log;
        }
    }

    /**
     * A program binary ({@code --binary}) that cannot be read, is not for this device, or holds no kernel of the
     * build (or the twin of another model).
     */
    public static final class BadBinary extends OpenClException {
        BadBinary(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** A buffer larger than the device allocates, or local memory the kernel needs and the device lacks. */
    public static final class OutOfMemory extends OpenClException {
        OutOfMemory(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** A call did not finish within the timeout; the device released its buffers and is closed. */
    public static final class Timeout extends OpenClException {
        Timeout(String message) {
            super(message, null);
        }
    }

    /** An OpenCL call failed, or the kernel reported an error the host's checks did not foresee. */
    public static final class Failed extends OpenClException {
        Failed(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
