// Compiled with the generated skeleton of tests/bpf/gen_globals.bpf.c by CompileTests.
using Ebpf;
using Ebpf.Links;
using Ebpf.Programs;

namespace Ebpf.Generator.Tests.Golden
{
    internal static class GenGlobalsUsage
    {
        internal static ulong Use()
        {
            using var skel = GenGlobalsSkel.Open();
            skel.Rodata.CfgPort = 9090;
            var cfg = skel.Rodata.Cfg;
            cfg.Port = 443;
            cfg.Range.Hi = 10;
            skel.Rodata.Cfg = cfg;
            skel.RodataLimits.Limits = default;
            skel.Load();
            GlobalData bss = skel.Bss.GlobalData;
            RawTracepointProgram enter = skel.Programs.OnEnter;
            using BpfLink link = enter.Attach();
            return skel.Data.PacketsSeen + skel.Bss.Drops + skel.DataCustom.CustomCounter + skel.DataCustom.CustomArray[1] + (ulong)bss.Size;
        }
    }
}
