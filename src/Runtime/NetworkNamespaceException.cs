namespace Ebpf;

/// <summary>
/// <see cref="NetworkNamespace.Run{T}(string, Func{T})"/> could not enter the namespace: the file does not exist,
/// cannot be opened, is not a network namespace, or setns(2) was refused. The message names the cause and the fix.
/// </summary>
public sealed class NetworkNamespaceException : IOException
{
    internal NetworkNamespaceException(string message, string path, int errno, Exception? inner = null)
        : base(message, inner)
    {
        Path = path;
        Errno = errno;
    }

    /// <summary>The namespace file that could not be entered.</summary>
    public string Path { get; }

    /// <summary>The errno of the failed open or setns.</summary>
    public int Errno { get; }
}
