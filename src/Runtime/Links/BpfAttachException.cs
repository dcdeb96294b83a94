namespace Ebpf.Links;

/// <summary>
/// Attaching (or test-running) a program failed. The message names the program, the hook, the cause and
/// what to do; <see cref="BpfException.Errno"/> is the kernel's error number (0 when the check happened before any call).
/// </summary>
public sealed class BpfAttachException : BpfException
{
    public BpfAttachException(string message, int errno = 0, Exception? inner = null)
        : base(message, errno, "attach", null, inner) { }
}
