namespace Ebpf;

/// <summary>
/// Attaching (or test-running) a program failed. The message names the program, the hook, the cause and
/// what to do; <see cref="Errno"/> is the kernel's error number (0 when the check happened before any call).
/// </summary>
public sealed class BpfAttachException : Exception
{
    public BpfAttachException(string message, int errno = 0, Exception? inner = null) : base(message, inner) => Errno = errno;

    /// <summary>The errno the kernel returned, or 0.</summary>
    public int Errno { get; }
}
