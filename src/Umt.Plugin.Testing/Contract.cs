namespace Umt.Plugin.Testing;

/// <summary>The harness's one assertion: a failed check says which plugin broke which promise.</summary>
internal static class Contract
{
    public static void That(bool condition, string plugin, string promise)
    {
        if (!condition)
        {
            throw new PluginContractException($"{plugin}: {promise}");
        }
    }
}
