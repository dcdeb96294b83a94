using System.Diagnostics;
using System.Reflection;
using Ebpf.Maps;
using Ebpf.Runtime.Tests.AttachSupport;
using Ebpf.TestKit;

namespace Ebpf.Runtime.Tests;

/// <summary>
/// A LIBBPF_PIN_BY_NAME map shared between two processes through bpffs: the second process (tests/AttachChild in
/// its pinned-map mode) loads the same object with the same pin path, sees this process's value and changes it;
/// unpinning removes the file, and the map itself goes once the last descriptor is closed.
/// </summary>
[Collection(KernelCollection.Name)]
public sealed class PinningSharedTests
{
    private static string ChildDll()
    {
        var config = typeof(PinningSharedTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        var dll = Path.Combine(RepoPaths.Root, "tests", "AttachChild", "bin", config, "net10.0", "Ebpf.AttachChild.dll");
        Assert.True(File.Exists(dll), $"{dll} is missing: build tests/Runtime.Tests (it builds tests/AttachChild)");
        return dll;
    }

    private static bool MapExists(uint id) => HostCommand.Run("bpftool", "map", "show", "id", id.ToString()).Succeeded;

    [Fact]
    public async Task A_pinned_map_is_shared_with_another_process_and_gone_after_unpin_and_close()
    {
        Kernel.RequireRoot();
        var ct = TestContext.Current.CancellationToken;
        using var pins = new BpfFs("shared");
        var objectPath = TestObjects.Compile("rt_pinned.bpf.c");
        var pinFile = Path.Combine(pins.Path, "rt_shared");

        var obj = BpfObject.OpenFile(objectPath, new BpfObjectOptions { PinPath = pins.Path });
        uint mapId;
        try
        {
            obj.Load();
            Assert.True(File.Exists(pinFile), $"{pinFile} was not pinned");
            var map = obj.GetMap("rt_shared");
            mapId = map.Id;
            var shared = new HashMap<uint, ulong>(map);
            shared.Update(1, 41);

            // The other process: it must find the pinned map, not create its own.
            using var child = HostCommand.Start("dotnet", [ChildDll(), "pinned-map", objectPath, pins.Path]);
            var stdout = child.StandardOutput.ReadToEndAsync(ct);
            var stderr = child.StandardError.ReadToEndAsync(ct);
            using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct))
            {
                timeout.CancelAfter(TimeSpan.FromSeconds(60));
                try
                {
                    await child.WaitForExitAsync(timeout.Token);
                }
                finally
                {
                    if (!child.HasExited)
                        child.Kill();
                }
            }
            Assert.True(child.ExitCode == 0, $"child exited with {child.ExitCode}: {await stdout} {await stderr}");
            Assert.Equal($"SEEN 41 {mapId}", (await stdout).Trim());

            // Its write is visible here: one kernel map behind both descriptors.
            Assert.Equal(1041ul, shared.Lookup(1));

            // Unpin: the file goes, the map stays while this process still holds it.
            File.Delete(pinFile);
            Assert.False(File.Exists(pinFile));
            Assert.Throws<BpfException>(() => BpfMap.OpenPinned(pinFile));
            Assert.True(MapExists(mapId), $"map {mapId} vanished while this process still holds a descriptor");
        }
        finally
        {
            obj.Dispose();
        }

        // No pin and no descriptor left: the kernel frees the map (asynchronously, so allow it a moment).
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (DateTime.UtcNow < deadline && MapExists(mapId))
            await Task.Delay(50, ct);
        Assert.False(MapExists(mapId), $"map {mapId} still exists after unpin and close");
    }
}
