using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using Umt.Runner.Engine.Configuration;
using Umt.Tests.TestSupport;

namespace Umt.Tests.Runner;

/// <summary>The run folder's <c>config.json</c>: real JSON types, and read back as the same configuration.</summary>
public sealed class ConfigurationJsonTests
{
    [Fact]
    public void Config_json_has_real_types_and_reads_back_as_the_same_configuration()
    {
        using var temp = new TemporaryDirectory();
        var original = ConfigurationLayers.Build(RepositoryPaths.Root, ["configs/videomae.json"],
            ["Umt:Run:Steps=7", "Umt:Optimizer:MinLr=0.00001", "Umt:Model:DropPath=1e-1", "Umt:Run:OutputDir=runs/007", "Umt:Model:Preset=tiny"]);
        string file = temp.Combine("config.json");

        File.WriteAllText(file, ConfigurationJson.Write(original));

        var json = JsonNode.Parse(File.ReadAllText(file))!["Umt"]!;
        json["Run"]!["Steps"]!.GetValueKind().Should().Be(System.Text.Json.JsonValueKind.Number);
        json["Optimizer"]!["MinLr"]!.ToJsonString().Should().Be("0.00001", "a number keeps the text it was configured with");
        json["Objectives"]!["mae-pixels"]!["Options"]!["NormalizeTarget"]!.GetValueKind().Should().Be(System.Text.Json.JsonValueKind.True);
        json["PluginDirectories"]!.GetValueKind().Should().Be(System.Text.Json.JsonValueKind.Array);
        json["Run"]!["OutputDir"]!.GetValue<string>().Should().Be("runs/007", "text that is not a JSON number stays a string");
        json["Model"]!["Preset"]!.GetValue<string>().Should().Be("tiny");

        var readBack = new ConfigurationBuilder().AddJsonFile(file).Build();
        Pairs(readBack).Should().Equal(Pairs(original));
    }

    /// <summary>Every key → value pair; booleans compared as booleans (a JSON file gives True/False whatever case was configured).</summary>
    private static SortedDictionary<string, string?> Pairs(IConfiguration configuration) =>
        new(configuration.AsEnumerable().ToDictionary(kv => kv.Key, kv => bool.TryParse(kv.Value, out bool b) ? b.ToString() : kv.Value), StringComparer.Ordinal);
}
