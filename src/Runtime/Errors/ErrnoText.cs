namespace Ebpf.Errors;

/// <summary>Readable errno text for the runtime's messages (shares the attach side's table).</summary>
internal static class ErrnoText
{
    public const int EPERM = 1, ENOENT = 2, E2BIG = 7, EBADF = 9, EAGAIN = 11, ENOMEM = 12, EACCES = 13, EFAULT = 14,
                     EBUSY = 16, EEXIST = 17, EINVAL = 22, ENOSPC = 28, ERANGE = 34, EOPNOTSUPP = 95, ENOTSUPP = 524;

    /// <summary>"ENOENT (No such file or directory)".</summary>
    public static string Describe(int errno) => Links.Errno.Describe(errno);
}
