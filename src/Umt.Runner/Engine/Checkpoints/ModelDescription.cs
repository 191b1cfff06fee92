using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Umt.Models.Weights;

namespace Umt.Runner.Engine.Checkpoints;

/// <summary>
/// What makes a checkpoint's <c>model.safetensors</c> describe itself (its <c>__metadata__</c>), so a
/// bare copy of the file loads in <c>extract</c>, <c>eval</c> and <c>finetune</c> with no <c>--config</c>:
/// <c>umt.config</c>, the run's resolved configuration (the same pairs as the run folder's
/// <c>config.json</c>), which rebuilds the model whose keys the file holds; and <c>umt.model</c>, the
/// resolved geometry and the plugins that shaped its keys (<see cref="ModelIdentity"/>), for a
/// reader that wants to know what the file is without building anything.
/// </summary>
public static class ModelDescription
{
    public const string ConfigurationKey = "umt.config";
    public const string IdentityKey = "umt.model";

    public static Dictionary<string, string> Of(IConfiguration configuration, IReadOnlyDictionary<string, string> identity)
    {
        var pairs = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in configuration.AsEnumerable())
        {
            if (value is not null)
            {
                pairs[key] = value; // sections carry no value of their own: their keys below them do
            }
        }
        return new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [ConfigurationKey] = JsonSerializer.Serialize(pairs),
            [IdentityKey] = JsonSerializer.Serialize(identity),
        };
    }

    /// <summary>The configuration <paramref name="modelFile"/> was trained with; null when it carries none (written before it was recorded, or not by <c>umt train</c>).</summary>
    public static IReadOnlyDictionary<string, string?>? ConfigurationOf(string modelFile) =>
        SafetensorsFile.ReadHeader(modelFile).Metadata.TryGetValue(ConfigurationKey, out var json)
            ? JsonSerializer.Deserialize<Dictionary<string, string?>>(json)
            : null;
}
