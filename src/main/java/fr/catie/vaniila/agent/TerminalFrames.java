package fr.catie.vaniila.agent;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The framing of what goes to an interactive launch's terminal, from the portal through the agent to the PTY relay
 * ({@code vaniila-pty.py}): one byte of type, four bytes of big-endian length, the payload. Output from the terminal
 * comes back unframed. See {@code docs/agent-protocol.md}, "Interactive terminals". Pure functions; the
 * {@link Decoder} is not thread-safe (one per stream).
 */
public final class TerminalFrames {

    /** Type byte of {@link Frame.Input}. */
    public static final byte INPUT = 0;
    /** Type byte of {@link Frame.Resize}. */
    public static final byte RESIZE = 1;
    /** Type byte of {@link Frame.Hangup}. */
    public static final byte HANGUP = 2;
    /** The largest payload a frame may carry; the relay hangs up on a larger one. */
    public static final int MAX_PAYLOAD = 1 << 20;

    private TerminalFrames() {
    }

    /** One frame. */
    public sealed interface Frame {

        /** Bytes typed by the user (or pasted), for the program in the terminal. */
        record Input(byte[] data) implements Frame {
        }

        /** The window's new size in character cells, 1..1000 each. */
        record Resize(int columns, int rows) implements Frame {
        }

        /** The user went away: the shell gets SIGHUP, as when a terminal closes. */
        record Hangup() implements Frame {
        }
    }

    /** Encodes typed bytes; a larger input is cut into several frames. */
    public static byte[] input(byte[] data, int offset, int length) {
        ByteBuffer out = ByteBuffer.allocate(length + 5 * (length / MAX_PAYLOAD + 1));
        int at = offset;
        int left = length;
        do {
            int n = Math.min(left, MAX_PAYLOAD);
            out.put(INPUT).putInt(n).put(data, at, n);
            at += n;
            left -= n;
        } while (left > 0);
        return Arrays.copyOf(out.array(), out.position());
    }

    /** Encodes a window size. */
    public static byte[] resize(int columns, int rows) {
        if (columns < 1 || columns > 1000 || rows < 1 || rows > 1000) {
            throw new IllegalArgumentException("a terminal is 1 to 1000 columns and rows, not " + columns + "x" + rows);
        }
        return ByteBuffer.allocate(9).put(RESIZE).putInt(4).putShort((short) columns).putShort((short) rows).array();
    }

    /** Encodes a hang-up. */
    public static byte[] hangup() {
        return ByteBuffer.allocate(5).put(HANGUP).putInt(0).array();
    }

    /** Reads frames from a stream that may split them anywhere. */
    public static final class Decoder {

        private byte[] pending = new byte[0];

        /**
         * Feeds bytes; returns the frames they complete, in order.
         *
         * @throws IllegalArgumentException on an unknown type or a payload over {@link #MAX_PAYLOAD}, or a resize
         *                                  that is not two 16-bit sizes in 1..1000: the stream cannot be trusted after
         */
        public List<Frame> feed(byte[] data, int offset, int length) {
            byte[] all = Arrays.copyOf(pending, pending.length + length);
            System.arraycopy(data, offset, all, pending.length, length);
            ByteBuffer in = ByteBuffer.wrap(all);
            List<Frame> frames = new ArrayList<>();
            while (in.remaining() >= 5) {
                int start = in.position();
                byte type = in.get();
                int size = in.getInt();
                if (type != INPUT && type != RESIZE && type != HANGUP) {
                    throw new IllegalArgumentException("unknown terminal frame type " + type);
                }
                if (size < 0 || size > MAX_PAYLOAD) {
                    throw new IllegalArgumentException("terminal frame of " + Integer.toUnsignedString(size)
                            + " bytes, over the limit of " + MAX_PAYLOAD);
                }
                if (in.remaining() < size) {
                    in.position(start);
                    break;
                }
                byte[] payload = new byte[size];
                in.get(payload);
                frames.add(switch (type) {
                    case INPUT -> new Frame.Input(payload);
                    case RESIZE -> resizeOf(payload);
                    default -> new Frame.Hangup();
                });
            }
            pending = Arrays.copyOfRange(all, in.position(), all.length);
            return frames;
        }

        /** Bytes received that do not make a whole frame yet. */
        public int pendingBytes() {
            return pending.length;
        }

        private static Frame.Resize resizeOf(byte[] payload) {
            if (payload.length != 4) {
                throw new IllegalArgumentException("a resize frame carries 4 bytes, not " + payload.length);
            }
            ByteBuffer b = ByteBuffer.wrap(payload);
            int columns = Short.toUnsignedInt(b.getShort());
            int rows = Short.toUnsignedInt(b.getShort());
            if (columns < 1 || columns > 1000 || rows < 1 || rows > 1000) {
                throw new IllegalArgumentException("a terminal is 1 to 1000 columns and rows, not " + columns + "x"
                        + rows);
            }
            return new Frame.Resize(columns, rows);
        }
    }
}
