namespace Ebpf;

/// <summary>
/// A CO-RE relocation that is malformed or ambiguous (libbpf refuses these too), or a target BTF that cannot be
/// read. An unsatisfied relocation is not an exception: it poisons its instruction and is listed in
/// <see cref="CoreRelocationFailure"/>s.
/// </summary>
public sealed class CoreRelocationException : Exception
{
    /// <summary>Creates the exception with a message that names the cause and the fix.</summary>
    public CoreRelocationException(string message) : base(message) { }

    /// <summary>Creates the exception with the underlying error.</summary>
    public CoreRelocationException(string message, Exception inner) : base(message, inner) { }
}
