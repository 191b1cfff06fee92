namespace Umt.Abstractions.Objectives;

/// <summary>What a configured objective needs, checked before any tensor is allocated.</summary>
/// <param name="StudentBlocks">Student blocks whose outputs it reads (absolute indices, ascending).</param>
/// <param name="NeedsTeacher">Refuses <c>Umt:Teacher:Use = none</c>.</param>
/// <param name="TeacherLayers">Teacher layers K it aligns to (0 when it reads no teacher features).</param>
/// <param name="TeacherLayersOption">Option that sets K, for messages (e.g. <c>Options:Layers</c>).</param>
/// <param name="NeedsCaptions">Needs a dataset with captions.</param>
/// <param name="NeedsTextEncoder">Needs a text encoder.</param>
public sealed record ObjectiveTraits(
    IReadOnlyList<int> StudentBlocks,
    bool NeedsTeacher = false,
    int TeacherLayers = 0,
    string? TeacherLayersOption = null,
    bool NeedsCaptions = false,
    bool NeedsTextEncoder = false);
