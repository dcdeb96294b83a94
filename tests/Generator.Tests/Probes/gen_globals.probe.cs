// Compiled with the generated skeleton of tests/bpf/gen_globals.bpf.c by SkeletonRuntimeTests and run: the
// skeleton's properties against the real runtime, before and after loading.
using System;
using System.Diagnostics;
using Ebpf;

namespace Ebpf.Generator.Tests.Golden
{
    /// <summary>Calls the gen_globals skeleton.</summary>
    public static class GenGlobalsProbe
    {
        /// <summary>The initial values of the globals, read through the typed section properties without loading.</summary>
        public static string InitialValues(byte[] elf)
        {
            using var skel = GenGlobalsSkel.Open(elf);
            var cfg = skel.Rodata.Cfg;
            return string.Join(" ", skel.Rodata.CfgPort, cfg.Port, cfg.Mode, cfg.Range.Lo, cfg.Range.Hi, cfg.Ratio, cfg.Offset,
                               skel.Rodata.CfgProto, skel.Rodata.CfgTable[2], skel.Data.PacketsSeen, skel.Data.LastStats.Packets,
                               skel.Data.LastValue.AsU64, skel.DataCustom.CustomCounter, skel.DataCustom.CustomArray[3],
                               skel.RodataLimits.Limits[1], skel.Bss.Drops);
        }

        /// <summary>Sets .rodata before load, loads, attaches the raw tracepoint and watches the globals move.</summary>
        public static string LoadAndRun(byte[] elf)
        {
            using var skel = GenGlobalsSkel.Open(elf);
            skel.Rodata.CfgPort = 1000;
            var limits = skel.RodataLimits.Limits;
            limits[2] = 5;
            skel.RodataLimits.Limits = limits;
            skel.Load();
            var before = skel.Data.PacketsSeen;
            using (skel.Programs.OnEnter.Attach())
            {
                var watch = Stopwatch.StartNew();
                while (skel.Bss.Drops < 3 && watch.Elapsed < TimeSpan.FromSeconds(5))
                    System.Threading.Thread.Sleep(1); // syscalls of our own hit sys_enter
            }
            var drops = skel.Bss.Drops;
            // Each run adds cfg_port + cfg.port + cfg_proto + cfg_table[1] + limits[2] = 1000 + 80 + 17 + 2 + 5 = 1104.
            // Runs on two CPUs can lose each other's updates, but only whole ones: the total stays a multiple.
            var added = skel.Data.PacketsSeen - before;
            var multiple = added > 0 && added % 1104 == 0;
            string rodataWrite;
            try
            {
                skel.Rodata.CfgPort = 1;
                rodataWrite = "accepted";
            }
            catch (Exception e)
            {
                rodataWrite = e.GetType().Name;
            }
            return $"{skel.Rodata.CfgPort} {drops >= 3} {multiple} {rodataWrite}";
        }
    }
}
