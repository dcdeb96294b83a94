using Ebpf.Object;

namespace Ebpf.Testing;

/// <summary>What a <see cref="BpfFactAttribute"/> or <see cref="BpfTheoryAttribute"/> asks of the machine, checked before each run.</summary>
internal sealed class BpfRequirements
{
    public ProgramType[] ProgramTypes { get; set; } = [];
    public MapType[] MapTypes { get; set; } = [];
    public string? MinimumKernel { get; set; }
    public bool RequiresBtf { get; set; }
    public string[] Tools { get; set; } = [];

    /// <summary>Skips or fails (see <see cref="BpfRequire"/>) with every unmet requirement, root first: probes need it.</summary>
    public void Check()
    {
        var root = BpfRequire.RootProblem();
        if (root is not null)
        {
            BpfRequire.Unmet(root);
            return;
        }
        var problems = new List<string>();
        if (MinimumKernel is not null)
        {
            if (!Version.TryParse(MinimumKernel.Contains('.') ? MinimumKernel : MinimumKernel + ".0", out var minimum))
                throw new ArgumentException($"MinimumKernel '{MinimumKernel}' is not a kernel version such as \"6.6\"");
            Add(problems, BpfRequire.KernelVersionProblem(minimum));
        }
        if (RequiresBtf)
            Add(problems, BpfRequire.BtfProblem());
        foreach (var type in ProgramTypes)
            Add(problems, BpfRequire.ProgramTypeProblem(type));
        foreach (var type in MapTypes)
            Add(problems, BpfRequire.MapTypeProblem(type));
        foreach (var tool in Tools)
        {
            var parts = tool.Split(':', 2);
            Add(problems, BpfRequire.ToolProblem(parts[0], parts.Length == 2 ? parts[1] : parts[0]));
        }
        BpfRequire.Unmet(problems.Count == 0 ? null : string.Join("; ", problems));
    }

    private static void Add(List<string> problems, string? problem)
    {
        if (problem is not null)
            problems.Add(problem);
    }
}
