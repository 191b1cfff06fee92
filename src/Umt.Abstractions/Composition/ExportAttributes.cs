using System.Composition;
using Umt.Abstractions.Datasets;
using Umt.Abstractions.Masking;
using Umt.Abstractions.Objectives;
using Umt.Abstractions.Teachers;
using Umt.Abstractions.TextEncoders;

namespace Umt.Abstractions.Composition;

// One typed export attribute per plugin kind (Roslyn's ExportLanguageServiceAttribute idiom): the
// contract type is fixed by the attribute, and Name/Description become metadata through
// [MetadataAttribute], so a misspelt metadata key is a compile error rather than a silent miss.

/// <summary>Exports a masking strategy factory under a configuration name.</summary>
[MetadataAttribute, AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class ExportMaskingStrategyAttribute(string name) : ExportAttribute(typeof(IMaskingStrategyFactory))
{
    public string Name { get; } = name;

    public string Description { get; init; } = "";
}

/// <summary>Exports a teacher factory under a configuration name.</summary>
[MetadataAttribute, AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class ExportTeacherAttribute(string name) : ExportAttribute(typeof(ITeacherFactory))
{
    public string Name { get; } = name;

    public string Description { get; init; } = "";
}

/// <summary>Exports an objective factory under a configuration name.</summary>
[MetadataAttribute, AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class ExportObjectiveAttribute(string name) : ExportAttribute(typeof(IObjectiveFactory))
{
    public string Name { get; } = name;

    public string Description { get; init; } = "";
}

/// <summary>Exports a dataset factory under a configuration name.</summary>
[MetadataAttribute, AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class ExportVideoDatasetAttribute(string name) : ExportAttribute(typeof(IVideoDatasetFactory))
{
    public string Name { get; } = name;

    public string Description { get; init; } = "";
}

/// <summary>Exports a text encoder factory under a configuration name.</summary>
[MetadataAttribute, AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class ExportTextEncoderAttribute(string name) : ExportAttribute(typeof(ITextEncoderFactory))
{
    public string Name { get; } = name;

    public string Description { get; init; } = "";
}
