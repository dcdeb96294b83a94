// Compiled with the generated skeleton of tests/bpf/gen_maps.bpf.c by CompileTests: the API users write against.
using System;
using Ebpf;
using Ebpf.Links;
using Ebpf.Maps;
using Ebpf.Programs;

namespace Ebpf.Generator.Tests.Golden
{
    internal static class GenMapsUsage
    {
        internal static void Use(string cgroup, int ifindex)
        {
            using var skel = GenMapsSkel.Open();
            HashMap<GenMapsSkel.GenFlowKey, GenMapsSkel.GenFlowStats> flows = skel.Maps.Flows;
            flows.MaxEntries = 4096;
            BpfMap untyped = flows.Map;
            ArrayMap<GenMapsSkel.GenEvent> events = skel.Maps.EventsBySlot;
            PerCpuArrayMap<ulong> counters = skel.Maps.Counters;
            SockHashMap<GenMapsSkel.GenSockKey> sockets = skel.Maps.SockHash;
            LpmTrieMap<GenMapsSkel.GenLpmKey, GenMapsSkel.GenProto> routes = skel.Maps.Routes;
            RingBufMap ring = skel.Maps.Ringbuf;
            BpfMap queue = skel.Maps.Queue;
            skel.Load();

            XdpProgram xdp = skel.Programs.XdpCount;
            using BpfLink link = xdp.AttachXdp(ifindex);
            using BpfLink sockops = skel.Programs.OnSockops.AttachCgroup(cgroup);
            using BpfLink msg = skel.Programs.OnMsg.AttachToMap(sockets);

            var stats = new GenMapsSkel.GenFlowStats { Packets = 1, Bytes = 2 };
            stats.State = 5;
            stats.Delta = -3;
            stats.Flagged = true;
            stats.LastProto = GenMapsSkel.GenProto.GenProtoUdp;
            GenMapsSkel.GenEvent e = default;
            e.Comm[0] = (sbyte)'a';
            Span<sbyte> comm = e.Comm;
            e.Matrix[1][2] = 3;
            e.Flows[0].Sport = 80;
            GC.KeepAlive((untyped, events, counters, routes, ring, queue, stats, comm.Length));
        }
    }
}
