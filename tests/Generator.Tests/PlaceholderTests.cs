namespace Ebpf.Generator.Tests;
public class PlaceholderTests { [Fact] public void ProjectBuilds() => Assert.True(true); }
