using static TorchSharp.torch;

namespace Umt.Abstractions.TextEncoders;

/// <summary>The tokenizer that belongs to a text encoder: its ids index that encoder's vocabulary.</summary>
public interface ITextTokenizer
{
    int VocabSize { get; }

    int MaxLength { get; }

    long PadId { get; }

    long ClsId { get; }

    long SepId { get; }

    /// <summary>The id MLM puts in place of a selected token.</summary>
    long MaskId { get; }

    /// <summary>Tokenizes, truncates to <see cref="MaxLength"/> (keeping <c>[SEP]</c>) and pads.</summary>
    TokenizedText Encode(IReadOnlyList<string> captions, Device device);
}
