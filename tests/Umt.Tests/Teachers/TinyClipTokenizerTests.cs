using Umt.Plugins.Datasets.Synthetic;
using Umt.Runner.Workflows.TeacherTraining;
using Umt.Tests.TestSupport;

namespace Umt.Tests.Teachers;

/// <summary>The tiny teacher's WordPiece vocabulary and tokenizer, against the committed vocab file.</summary>
public sealed class TinyClipTokenizerTests
{
    private static readonly string CommittedVocab = Path.Combine(RepositoryPaths.Root, "assets", "teachers", "tiny-clip-vocab.txt");

    [Fact]
    public void Committed_vocab_is_the_one_generated_from_the_captions()
    {
        File.ReadAllText(CommittedVocab).Should().Be(TinyClipVocabulary.FileText(),
            "the committed vocabulary is generated from SyntheticVocabulary/SyntheticCaption; regenerate it with umt teacher train");
    }

    [Fact]
    public void Image_caption_gets_the_hand_written_ids()
    {
        var tokenizer = CaptionTokenizer.Load(CommittedVocab, contextLength: 16);

        var tokens = tokenizer.Encode(["a small red triangle"]);

        // [CLS]=2 a=6 small=26 red=22 triangle=33 [SEP]=3, then [PAD]=0 (line numbers of the committed vocab.txt)
        tokens.Ids.Should().Equal(2, 6, 26, 22, 33, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        tokens.PoolPositions.Should().Equal(5);
        tokenizer.VocabSize.Should().Be(36);
    }

    [Fact]
    public void Punctuation_is_its_own_token_and_long_captions_are_truncated_before_sep()
    {
        var tokenizer = CaptionTokenizer.Load(CommittedVocab, contextLength: 16);

        // counter=11 -=5 clockwise=10: BERT's basic tokenizer splits on punctuation
        tokenizer.Ids("a large cyan star orbiting counter-clockwise").Should().Equal(2, 6, 17, 13, 29, 21, 11, 5, 10, 3);

        var truncated = CaptionTokenizer.Load(CommittedVocab, contextLength: 4).Encode(["a large cyan star"]);
        truncated.Ids.Should().Equal(2, 6, 17, 3);
        truncated.PoolPositions.Should().Equal(3);
    }

    [Fact]
    public void Every_synthetic_caption_fits_the_context_without_unknown_words()
    {
        var tokenizer = CaptionTokenizer.Load(CommittedVocab, contextLength: 16);

        foreach (string caption in SyntheticCaption.AllImageCaptions.Concat(SyntheticCaption.AllVideoCaptions))
        {
            var ids = tokenizer.Ids(caption);
            ids.Should().NotContain(tokenizer.UnknownId, caption);
            ids.Count.Should().BeLessThanOrEqualTo(16, caption);
        }
    }
}
