namespace Ebpf.Core;

/// <summary>
/// A relocation that is malformed or ambiguous (not merely unsatisfied): libbpf refuses to load the program for
/// these. <see cref="CoreRelocator"/> catches it and rethrows a <see cref="CoreRelocationException"/> that names
/// the program and the relocation.
/// </summary>
internal sealed class CoreError(string reason) : Exception(reason);
