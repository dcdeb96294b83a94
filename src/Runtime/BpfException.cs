namespace Ebpf;

/// <summary>
/// A bpf(2) operation failed. The message names the operation, the map or program, the kernel's error and,
/// where the cause is known, what to do about it.
/// </summary>
public class BpfException : Exception
{
    public BpfException(string message, int errno, string operation, string? objectName, Exception? inner = null)
        : base(message, inner)
    {
        Errno = errno;
        Operation = operation;
        ObjectName = objectName;
    }

    /// <summary>The errno the kernel returned (0 when the check failed before any call).</summary>
    public int Errno { get; }

    /// <summary>The bpf(2) command or step that failed, e.g. "BPF_MAP_CREATE".</summary>
    public string Operation { get; }

    /// <summary>The map, program or object the operation was about, when there is one.</summary>
    public string? ObjectName { get; }
}
