namespace Ebpf.Build.Tasks.Tests;

/// <summary>Tests that run dotnet build on temp projects: serialised, they share the task and generator builds and 2 cores.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RealBuilds
{
    public const string Name = "real builds";
}
