package fr.catie.vaniila.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import fr.catie.vaniila.agent.TerminalFrames.Frame;
import org.junit.jupiter.api.Test;

/** The framing of terminal input between the portal, the agent and the PTY relay. */
class TerminalFramesTest {

    @Test
    void framesReadBackWhateverTheSplitsOfTheStream() throws Exception {
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        byte[] keys = "ls -l\r".getBytes(StandardCharsets.UTF_8);
        stream.write(TerminalFrames.resize(132, 43));
        stream.write(TerminalFrames.input(keys, 0, keys.length));
        stream.write(TerminalFrames.input(new byte[] {3}, 0, 1));
        stream.write(TerminalFrames.hangup());
        byte[] all = stream.toByteArray();
        assertThat(all).hasSize(9 + 5 + keys.length + 6 + 5);
        for (int split = 1; split < all.length; split++) {
            TerminalFrames.Decoder decoder = new TerminalFrames.Decoder();
            List<Frame> frames = new ArrayList<>(decoder.feed(all, 0, split));
            frames.addAll(decoder.feed(all, split, all.length - split));
            assertThat(frames).as("split at %d", split).hasSize(4);
            assertThat(frames.get(0)).isEqualTo(new Frame.Resize(132, 43));
            assertThat(((Frame.Input) frames.get(1)).data()).isEqualTo(keys);
            assertThat(((Frame.Input) frames.get(2)).data()).containsExactly(3);
            assertThat(frames.get(3)).isInstanceOf(Frame.Hangup.class);
            assertThat(decoder.pendingBytes()).isZero();
        }
    }

    @Test
    void theWireFormatIsTypeThenBigEndianLengthThenPayload() {
        assertThat(TerminalFrames.resize(300, 2)).containsExactly(1, 0, 0, 0, 4, 1, 44, 0, 2);
        assertThat(TerminalFrames.hangup()).containsExactly(2, 0, 0, 0, 0);
        assertThat(TerminalFrames.input(new byte[] {9, 'a', 'b', 9}, 1, 2)).containsExactly(0, 0, 0, 0, 2, 'a', 'b');
    }

    @Test
    void aHugePasteIsCutIntoFramesTheRelayAccepts() {
        byte[] paste = new byte[TerminalFrames.MAX_PAYLOAD * 2 + 10];
        paste[paste.length - 1] = 'z';
        byte[] encoded = TerminalFrames.input(paste, 0, paste.length);
        List<Frame> frames = new TerminalFrames.Decoder().feed(encoded, 0, encoded.length);
        assertThat(frames).hasSize(3);
        assertThat(frames).allMatch(f -> ((Frame.Input) f).data().length <= TerminalFrames.MAX_PAYLOAD);
        byte[] last = ((Frame.Input) frames.get(2)).data();
        assertThat(last).hasSize(10);
        assertThat(last[9]).isEqualTo((byte) 'z');
    }

    @Test
    void aBrokenStreamIsRefusedNotGuessed() {
        assertThatThrownBy(() -> new TerminalFrames.Decoder().feed(new byte[] {7, 0, 0, 0, 0}, 0, 5))
                .hasMessageContaining("unknown terminal frame type 7");
        assertThatThrownBy(() -> new TerminalFrames.Decoder().feed(new byte[] {0, 127, 0, 0, 0}, 0, 5))
                .hasMessageContaining("over the limit");
        assertThatThrownBy(() -> new TerminalFrames.Decoder().feed(new byte[] {1, 0, 0, 0, 4, 0, 0, 0, 24}, 0, 9))
                .hasMessageContaining("not 0x24");
        assertThatThrownBy(() -> TerminalFrames.resize(0, 24)).hasMessageContaining("1 to 1000");
    }
}
