namespace Umt.Abstractions.Composition;

/// <summary>
/// What every plugin factory shares: the type of its options. Factories are stateless MEF parts
/// marked <c>[Shared]</c>; the per-run objects they create hold native memory and are owned by
/// the runner, never by the container.
/// </summary>
public interface IPluginFactory
{
    /// <summary>Public sealed options class whose property initialisers are the defaults.</summary>
    Type OptionsType { get; }
}
