using Umt.Abstractions.Composition;
using Umt.Plugin.Testing;
using Xunit;

namespace UmtObjective.Tests;

/// <summary>Every plugin this assembly exports, found as the runner finds it, keeps its kind's contract.</summary>
public sealed class ContractTests
{
    private static readonly PluginContractHarness Harness = PluginContractHarness.ForAssembly(typeof(UmtObjectiveOptions).Assembly);

    public static TheoryData<PluginKind, string> Plugins()
    {
        var data = new TheoryData<PluginKind, string>();
        foreach (var (kind, name) in Harness.All())
        {
            data.Add(kind, name);
        }
        return data;
    }

    [Theory, MemberData(nameof(Plugins))]
    public void Keeps_the_contract(PluginKind kind, string name) => Harness.Check(kind, name);

    [Fact]
    public void Exports_the_objective() => Assert.Contains("umt-objective-name", Harness.Names(PluginKind.Objective));
}
