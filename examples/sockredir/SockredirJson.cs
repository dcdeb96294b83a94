using System.Text.Json.Serialization;
using Ebpf.Examples.Sockredir.Bench;
using Ebpf.Examples.Sockredir.Traffic;

namespace Ebpf.Examples.Sockredir;

/// <summary>
/// The JSON the app writes and reads (the bench report; the ping-pong result a child process prints), by source
/// generation: no reflection at run time, and the project turns reflection-based serialization off.
/// </summary>
[JsonSerializable(typeof(BenchReport))]
[JsonSerializable(typeof(PingPongResult))]
[JsonSourceGenerationOptions(WriteIndented = true)]
internal sealed partial class SockredirJson : JsonSerializerContext;
