using System.ComponentModel.DataAnnotations;

namespace Umt.Runner.Configuration;

/// <summary><c>Umt:Distributed</c>. Only the single-process backend exists so far.</summary>
public sealed class DistributedOptions
{
    [AllowedValues("single")]
    public string Backend { get; set; } = "single";
}
