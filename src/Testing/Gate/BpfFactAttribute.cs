using System.Reflection;
using System.Runtime.CompilerServices;
using Ebpf.Object;
using Xunit;
using Xunit.v3;

namespace Ebpf.Testing;

/// <summary>
/// A fact that needs the kernel: before it runs, it checks root and the named requirements (program and map types
/// the kernel must support, a minimum kernel, BTF, tools). An unmet one skips the test with the reason, or fails it
/// when <c>EBPF_TESTS_REQUIRED=1</c> (see <see cref="BpfRequire"/>).
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public class BpfFactAttribute(
    [CallerFilePath] string? sourceFilePath = null,
    [CallerLineNumber] int sourceLineNumber = -1) : FactAttribute(sourceFilePath, sourceLineNumber), IBeforeAfterTestAttribute
{
    private readonly BpfRequirements requirements = new();

    /// <summary>Program types the kernel must load (probed with a minimal program, once per process).</summary>
    public ProgramType[] ProgramTypes { get => requirements.ProgramTypes; set => requirements.ProgramTypes = value; }

    /// <summary>Map types the kernel must create.</summary>
    public MapType[] MapTypes { get => requirements.MapTypes; set => requirements.MapTypes = value; }

    /// <summary>The oldest kernel the test runs on, "major.minor" (e.g. "6.6" for tcx).</summary>
    public string? MinimumKernel { get => requirements.MinimumKernel; set => requirements.MinimumKernel = value; }

    /// <summary>True when the test needs the kernel's BTF (CO-RE, tp_btf).</summary>
    public bool RequiresBtf { get => requirements.RequiresBtf; set => requirements.RequiresBtf = value; }

    /// <summary>Executables the test runs, each as "tool" or "tool:package" (the package is named in the message).</summary>
    public string[] Tools { get => requirements.Tools; set => requirements.Tools = value; }

    void IBeforeAfterTestAttribute.Before(MethodInfo methodUnderTest, IXunitTest test) => requirements.Check();

    void IBeforeAfterTestAttribute.After(MethodInfo methodUnderTest, IXunitTest test) { }
}

/// <summary>A theory that needs the kernel; the same requirements and behaviour as <see cref="BpfFactAttribute"/>, per data row.</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public class BpfTheoryAttribute(
    [CallerFilePath] string? sourceFilePath = null,
    [CallerLineNumber] int sourceLineNumber = -1) : TheoryAttribute(sourceFilePath, sourceLineNumber), IBeforeAfterTestAttribute
{
    private readonly BpfRequirements requirements = new();

    /// <inheritdoc cref="BpfFactAttribute.ProgramTypes"/>
    public ProgramType[] ProgramTypes { get => requirements.ProgramTypes; set => requirements.ProgramTypes = value; }

    /// <inheritdoc cref="BpfFactAttribute.MapTypes"/>
    public MapType[] MapTypes { get => requirements.MapTypes; set => requirements.MapTypes = value; }

    /// <inheritdoc cref="BpfFactAttribute.MinimumKernel"/>
    public string? MinimumKernel { get => requirements.MinimumKernel; set => requirements.MinimumKernel = value; }

    /// <inheritdoc cref="BpfFactAttribute.RequiresBtf"/>
    public bool RequiresBtf { get => requirements.RequiresBtf; set => requirements.RequiresBtf = value; }

    /// <inheritdoc cref="BpfFactAttribute.Tools"/>
    public string[] Tools { get => requirements.Tools; set => requirements.Tools = value; }

    void IBeforeAfterTestAttribute.Before(MethodInfo methodUnderTest, IXunitTest test) => requirements.Check();

    void IBeforeAfterTestAttribute.After(MethodInfo methodUnderTest, IXunitTest test) { }
}
