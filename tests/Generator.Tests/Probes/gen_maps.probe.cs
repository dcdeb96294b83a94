// Compiled with the generated skeleton of tests/bpf/gen_maps.bpf.c by SkeletonRuntimeTests and run.
using Ebpf.Maps;

namespace Ebpf.Generator.Tests.Golden
{
    /// <summary>Calls the gen_maps skeleton.</summary>
    public static class GenMapsProbe
    {
        /// <summary>Opening constructs every typed map view, each of which checks its key/value sizes and map type.</summary>
        public static string OpenAll(byte[] elf)
        {
            using var skel = GenMapsSkel.Open(elf);
            var m = skel.Maps;
            return string.Join(" ", m.Flows.Map.Name, m.EventsBySlot.Map.Name, m.Counters.Map.Name, m.PerCpuValues.Map.Name, m.Lru.Map.Name,
                               m.LruPercpu.Map.Name, m.Routes.Map.Name, m.SockHash.Map.Name, m.SockMap.Map.Name, m.Ringbuf.Map.Name,
                               m.PerfEvents.Map.Name, m.Devices.Map.Name, m.Cpus.Map.Name, m.Jumps.Map.Name, m.InnerOne.Map.Name,
                               m.Tables.Map.Name, m.TableArray.Map.Name, m.SizedOnly.Map.Name, m.Queue.Name);
        }

        /// <summary>Loads and round-trips struct keys and values (with bitfields) through the kernel.</summary>
        public static string LoadAndRoundTrip(byte[] elf)
        {
            using var skel = GenMapsSkel.Open(elf);
            skel.Maps.Flows.MaxEntries = 64;
            skel.Load();
            var key = new GenMapsSkel.GenFlowKey { Saddr = 0x0100007f, Daddr = 0x0200007f, Sport = 1234, Dport = 80, Proto = 6 };
            var value = new GenMapsSkel.GenFlowStats { Packets = 10, Bytes = 2000, Tail = 7 };
            value.State = 5;
            value.Delta = -3;
            value.Flagged = true;
            value.WideField = 0xAB_CDEF_0123;
            value.LastProto = GenMapsSkel.GenProto.GenProtoUdp;
            skel.Maps.Flows.Update(key, value);
            var back = skel.Maps.Flows.Lookup(key);
            var e = new GenMapsSkel.GenEvent { Pid = 42 };
            e.Comm[0] = (sbyte)'x';
            e.Matrix[1][2] = 9;
            e.Version.Minor = 3;
            skel.Maps.EventsBySlot.Update(3, e);
            var ev = skel.Maps.EventsBySlot.Lookup(3);
            return $"{skel.Maps.Flows.MaxEntries} {back.Packets} {back.Bytes} {back.State} {back.Delta} {back.Flagged} {back.WideField:X} {back.LastProto} {back.Tail} " +
                   $"{ev.Pid} {(char)ev.Comm[0]} {ev.Matrix[1][2]} {ev.Version.Minor} {skel.Programs.XdpCount.Name}";
        }
    }
}
