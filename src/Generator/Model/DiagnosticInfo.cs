namespace Ebpf.Generator.Model
{
    /// <summary>
    /// A diagnostic as plain data: which descriptor, its message arguments and the file it points at. Turned
    /// into a Roslyn <c>Diagnostic</c> only at the emit step, so the model stays value-equatable.
    /// </summary>
    internal sealed record DiagnosticInfo(string Id, EquatableArray<string> Arguments, string FilePath);
}
