package dev.tellmej.device;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jocl.CL;
import org.jocl.CLException;
import org.jocl.Pointer;
import org.jocl.cl_device_id;
import org.jocl.cl_platform_id;

/**
 * The OpenCL platforms and devices this machine has, and the choice of one by name or index ({@code --platform},
 * {@code --cl-device}): a name matches when it contains the text (case-insensitive), an index counts from 0 in
 * the loader's order. With no choice given the only one is taken; several, or none that matches, is an error that
 * lists them all.
 */
public final class OpenClPlatforms {
    /** What to install when there is no platform. */
    static final String INSTALL = "Install an OpenCL driver: on Debian, 'apt-get install pocl-opencl-icd"
            + " ocl-icd-libopencl1' (scripts/setup does it); on the board, XRT's OpenCL platform";

    private OpenClPlatforms() {}

    /** One device of one platform. */
    public record Choice(cl_platform_id platform, cl_device_id device, String platformName, String deviceName) {}

    /** Every platform's name with its devices' names, in the loader's order. */
    public static List<String> describe() {
        List<String> out = new ArrayList<>();
        cl_platform_id[] platforms = platforms();
        for (int p = 0; p < platforms.length; p++) {
            out.add("platform " + p + ": " + platformName(platforms[p]));
            cl_device_id[] devices = devices(platforms[p]);
            for (int d = 0; d < devices.length; d++) {
                out.add("  device " + d + ": " + deviceName(devices[d]));
            }
        }
        return out;
    }

    /**
     * The device {@code device} of the platform {@code platform}; either may be null (then there must be exactly one).
     *
     * @throws OpenClException.Unavailable  when there is no OpenCL platform at all
     * @throws OpenClException.NoSuchDevice when nothing matches or the choice is ambiguous
     */
    public static Choice choose(String platform, String device) {
        cl_platform_id[] platforms = platforms();
        List<String> platformNames = new ArrayList<>();
        for (cl_platform_id p : platforms) {
            platformNames.add(platformName(p));
        }
        int p = pick("platform", "--platform", platform, platformNames);
        cl_device_id[] devices = devices(platforms[p]);
        List<String> deviceNames = new ArrayList<>();
        for (cl_device_id d : devices) {
            deviceNames.add(deviceName(d));
        }
        if (devices.length == 0) {
            throw new OpenClException.NoSuchDevice("OpenCL platform " + p + " (" + platformNames.get(p)
                    + ") has no devices; " + listing());
        }
        int d = pick("device of platform " + p + " (" + platformNames.get(p) + ")", "--cl-device", device, deviceNames);
        return new Choice(platforms[p], devices[d], platformNames.get(p), deviceNames.get(d));
    }

    private static int pick(String what, String option, String wanted, List<String> names) {
        if (wanted == null) {
            if (names.size() == 1) {
                return 0;
            }
            throw new OpenClException.NoSuchDevice("there are " + names.size() + " OpenCL " + what
                    + "s; choose one with " + option + " NAME or INDEX: " + listing());
        }
        if (wanted.matches("\\d+")) {
            int index = Integer.parseInt(wanted);
            if (index < names.size()) {
                return index;
            }
            throw new OpenClException.NoSuchDevice("no OpenCL " + what + " " + index + " (" + option + "): "
                    + listing());
        }
        List<Integer> matches = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            if (names.get(i).toLowerCase(Locale.ROOT).contains(wanted.toLowerCase(Locale.ROOT))) {
                matches.add(i);
            }
        }
        if (matches.size() == 1) {
            return matches.get(0);
        }
        throw new OpenClException.NoSuchDevice((matches.isEmpty() ? "no" : matches.size()) + " OpenCL " + what
                + "s match '" + wanted + "' (" + option + "); give a longer name or an index: " + listing());
    }

    private static String listing() {
        return String.join("; ", describe());
    }

    static cl_platform_id[] platforms() {
        int[] count = new int[1];
        try {
            CL.setExceptionsEnabled(true);
            CL.clGetPlatformIDs(0, null, count);
        } catch (UnsatisfiedLinkError e) {
            throw new OpenClException.Unavailable("the OpenCL loader (libOpenCL.so) cannot be loaded: "
                    + e.getMessage() + ". " + INSTALL, e);
        } catch (CLException e) {
            throw new OpenClException.Unavailable("there is no OpenCL platform (" + e.getMessage() + "). " + INSTALL,
                    e);
        }
        if (count[0] == 0) {
            throw new OpenClException.Unavailable("there is no OpenCL platform. " + INSTALL, null);
        }
        cl_platform_id[] platforms = new cl_platform_id[count[0]];
        CL.clGetPlatformIDs(platforms.length, platforms, null);
        return platforms;
    }

    static cl_device_id[] devices(cl_platform_id platform) {
        int[] count = new int[1];
        try {
            CL.clGetDeviceIDs(platform, CL.CL_DEVICE_TYPE_ALL, 0, null, count);
        } catch (CLException e) {
            if (e.getStatus() == CL.CL_DEVICE_NOT_FOUND) {
                return new cl_device_id[0];
            }
            throw e;
        }
        cl_device_id[] devices = new cl_device_id[count[0]];
        CL.clGetDeviceIDs(platform, CL.CL_DEVICE_TYPE_ALL, devices.length, devices, null);
        return devices;
    }

    static String platformName(cl_platform_id platform) {
        long[] size = new long[1];
        CL.clGetPlatformInfo(platform, CL.CL_PLATFORM_NAME, 0, null, size);
        byte[] bytes = new byte[(int) size[0]];
        CL.clGetPlatformInfo(platform, CL.CL_PLATFORM_NAME, bytes.length, Pointer.to(bytes), null);
        return cString(bytes);
    }

    static String deviceName(cl_device_id device) {
        return deviceString(device, CL.CL_DEVICE_NAME);
    }

    static String deviceString(cl_device_id device, int param) {
        long[] size = new long[1];
        CL.clGetDeviceInfo(device, param, 0, null, size);
        byte[] bytes = new byte[(int) size[0]];
        CL.clGetDeviceInfo(device, param, bytes.length, Pointer.to(bytes), null);
        return cString(bytes);
    }

    static long deviceLong(cl_device_id device, int param) {
        long[] value = new long[1];
        CL.clGetDeviceInfo(device, param, 8, Pointer.to(value), null);
        return value[0];
    }

    private static String cString(byte[] bytes) {
        int n = 0;
        while (n < bytes.length && bytes[n] != 0) {
            n++;
        }
        return new String(bytes, 0, n, java.nio.charset.StandardCharsets.UTF_8).trim();
    }
}
