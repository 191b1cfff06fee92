namespace Umt.Plugin.Testing;

/// <summary>A plugin broke its kind's contract; the message names the plugin and the check.</summary>
public sealed class PluginContractException(string message) : Exception(message);
