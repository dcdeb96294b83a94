using System.Runtime.InteropServices;

namespace Ebpf.Internal;

/// <summary>
/// The runtime's one errno table: the values its callers react to, and a readable "ENAME (text)" form for messages.
/// </summary>
internal static class Errno
{
    public const int EPERM = 1, ENOENT = 2, ESRCH = 3, E2BIG = 7, EBADF = 9, EAGAIN = 11, ENOMEM = 12, EACCES = 13,
                     EFAULT = 14, EBUSY = 16, EEXIST = 17, ENODEV = 19, EINVAL = 22, ENOSPC = 28, ERANGE = 34,
                     EOPNOTSUPP = 95, ENOTSUPP = 524, EINTR = 4, ENOLINK = 67;

    private static readonly Dictionary<int, string> names = new()
    {
        [EPERM] = "EPERM", [ENOENT] = "ENOENT", [ESRCH] = "ESRCH", [E2BIG] = "E2BIG", [EBADF] = "EBADF",
        [EAGAIN] = "EAGAIN", [ENOMEM] = "ENOMEM", [EACCES] = "EACCES", [EFAULT] = "EFAULT", [EBUSY] = "EBUSY",
        [EEXIST] = "EEXIST", [ENODEV] = "ENODEV", [EINVAL] = "EINVAL", [ENOSPC] = "ENOSPC", [ERANGE] = "ERANGE",
        [EOPNOTSUPP] = "EOPNOTSUPP", [ENOTSUPP] = "ENOTSUPP", [EINTR] = "EINTR", [ENOLINK] = "ENOLINK",
    };

    /// <summary>"EBUSY (Device or resource busy)"; 524 is the kernel-internal ENOTSUPP that libc has no text for.</summary>
    public static string Describe(int errno)
    {
        var name = names.TryGetValue(errno, out var n) ? n : "errno " + errno;
        var text = errno == ENOTSUPP ? "operation not supported by the kernel" : Marshal.GetPInvokeErrorMessage(errno);
        return $"{name} ({text})";
    }

    /// <summary>Is the process running as root (for telling missing privileges from policy refusals)?</summary>
    public static bool IsRoot => Libc.GetEuid() == 0;
}
