using System.Globalization;
using System.Runtime.InteropServices;
using Ebpf.Internal;

namespace Ebpf.Loader;

/// <summary>
/// The running kernel's version as KERNEL_VERSION(major, minor, patch), for kern_version (old kernels check it for
/// kprobes) and the LINUX_KERNEL_VERSION .kconfig extern. The patch level saturates at 255 as in the kernel's macro.
/// </summary>
internal static class KernelVersion
{
    private static readonly Lazy<string> release = new(ReadRelease);
    private static readonly Lazy<uint> code = new(() => Parse(release.Value));

    public static uint Code => code.Value;

    /// <summary>uname's release string, e.g. "6.18.44-fc-v657".</summary>
    public static string Release => release.Value;

    internal static uint Parse(string release)
    {
        var parts = new uint[3];
        var index = 0;
        var value = 0u;
        var inNumber = false;
        foreach (var c in release)
        {
            if (char.IsAsciiDigit(c))
            {
                value = value * 10 + (uint)(c - '0');
                inNumber = true;
                continue;
            }
            if (inNumber)
            {
                parts[index++] = value;
                value = 0;
                inNumber = false;
            }
            if (c != '.' || index == 3)
                break;
        }
        if (inNumber && index < 3)
            parts[index] = value;
        return (parts[0] << 16) + (parts[1] << 8) + Math.Min(parts[2], 255u);
    }

    private static unsafe string ReadRelease()
    {
        // struct utsname: six fields of 65 bytes; release is the third.
        var buf = stackalloc byte[65 * 6];
        if (Libc.Uname(buf) != 0)
            return "0.0.0";
        return Marshal.PtrToStringAnsi((nint)(buf + 65 * 2)) ?? "0.0.0";
    }

    internal static string Format(uint code) =>
        string.Create(CultureInfo.InvariantCulture, $"{code >> 16}.{(code >> 8) & 0xff}.{code & 0xff}");
}
