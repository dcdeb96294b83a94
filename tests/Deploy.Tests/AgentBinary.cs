using System.Reflection;
using Ebpf.TestKit;

namespace Ebpf.Deploy.Tests;

/// <summary>The agents as built from examples/ (the project references build them before this project).</summary>
internal static class AgentBinary
{
    private static string Configuration =>
        typeof(AgentBinary).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "Configuration").Value!;

    public static string Dll(string agent) =>
        Path.Combine(RepoPaths.Root, "examples", agent, "bin", Configuration, "net10.0", agent + ".dll");
}
