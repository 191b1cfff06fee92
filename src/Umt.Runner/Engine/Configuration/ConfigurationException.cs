namespace Umt.Runner.Engine.Configuration;

/// <summary>
/// One or more configuration errors, each naming its configuration path. The CLI prints the
/// messages (no stack trace) and exits with code 2.
/// </summary>
public sealed class ConfigurationException(IReadOnlyList<string> errors)
    : Exception(string.Join(Environment.NewLine, errors))
{
    public ConfigurationException(string error)
        : this([error])
    {
    }

    public IReadOnlyList<string> Errors { get; } = errors;
}
