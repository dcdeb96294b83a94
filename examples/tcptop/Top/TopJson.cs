using System.Text.Json;
using System.Text.Json.Serialization;

namespace Ebpf.Examples.Tcptop.Top;

/// <summary>`top --json`: one JSON document per interval, one line each, for scripts (source-generated serializer).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(TopFrame))]
internal sealed partial class TopJsonContext : JsonSerializerContext
{
    public static string Serialize(TopFrame frame) => JsonSerializer.Serialize(frame, Default.TopFrame);
}
