namespace Umt.Models.Clip;

/// <summary>Architecture of a full OpenAI CLIP model: the vision tower and the text tower.</summary>
/// <param name="Vision">The image tower (<c>visual.*</c>).</param>
/// <param name="Text">The text tower (top-level keys).</param>
public sealed record ClipModelConfig(ClipVisionConfig Vision, ClipTextConfig Text)
{
    /// <summary>
    /// Infers both towers from a full OpenAI state dict's shapes (<c>visual.*</c> and the top-level
    /// text keys), as OpenAI's <c>build_model</c> does; head counts follow width/64 unless given.
    /// </summary>
    /// <exception cref="InvalidDataException">A required key is missing or shapes disagree.</exception>
    public static ClipModelConfig Infer(IReadOnlyDictionary<string, long[]> shapes, int? visionHeads = null, int? textHeads = null)
    {
        const string Visual = "visual.";
        var vision = shapes.Where(p => p.Key.StartsWith(Visual, StringComparison.Ordinal))
                           .ToDictionary(p => p.Key[Visual.Length..], p => p.Value, StringComparer.Ordinal);
        var text = shapes.Where(p => !p.Key.StartsWith(Visual, StringComparison.Ordinal))
                         .ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        var config = new ClipModelConfig(ClipVisionConfig.Infer(vision, visionHeads), ClipTextConfig.Infer(text, textHeads));
        config.Check();
        return config;
    }

    /// <summary>Both towers must project into one joint space.</summary>
    /// <exception cref="ArgumentException">The output widths differ.</exception>
    public void Check()
    {
        if (Vision.OutputWidth != Text.OutputWidth)
        {
            throw new ArgumentException($"The vision tower projects to {Vision.OutputWidth} channels and the text tower to {Text.OutputWidth}; CLIP needs one joint width.");
        }
    }
}
