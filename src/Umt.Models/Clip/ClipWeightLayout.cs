namespace Umt.Models.Clip;

/// <summary>The published layouts CLIP vision weights come in.</summary>
public enum ClipWeightLayout
{
    /// <summary>OpenAI's full CLIP state dict (<c>visual.*</c> plus the text tower), from <c>ViT-B-16.pt</c> or a <c>.pth</c>.</summary>
    OpenAi,

    /// <summary>The UMT reference's teacher file (<c>vit_b16.pth</c>): OpenAI's visual keys with <c>visual.</c> stripped.</summary>
    OpenAiVisualOnly,

    /// <summary>HuggingFace <c>CLIPModel</c> / <c>CLIPVisionModelWithProjection</c> (<c>vision_model.*</c>, <c>visual_projection.weight</c>).</summary>
    HuggingFace,
}
