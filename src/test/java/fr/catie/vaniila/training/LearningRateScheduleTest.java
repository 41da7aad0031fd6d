package fr.catie.vaniila.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class LearningRateScheduleTest {

    @Test
    void rampsLinearlyFromTheBaseRateToTheScaledRateThenStays() {
        LearningRateSchedule s = new LearningRateSchedule(0.1f, 4, 10);
        assertEquals(0.1f, s.rateAt(0), 1e-7);
        assertEquals(0.1f + 0.3f * 5 / 10, s.rateAt(5), 1e-7);
        assertEquals(0.4f, s.rateAt(10), 1e-7);
        assertEquals(0.4f, s.rateAt(1_000_000), 1e-7);
    }

    @Test
    void oneRankOrNoWarmUpIsAConstantRate() {
        assertEquals(0.01f, new LearningRateSchedule(0.01f, 1, 100).rateAt(3), 1e-9);
        assertEquals(0.08f, new LearningRateSchedule(0.01f, 8, 0).rateAt(0), 1e-9);
    }

    @Test
    void refusesMeaninglessSchedules() {
        assertThrows(IllegalArgumentException.class, () -> new LearningRateSchedule(0, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> new LearningRateSchedule(0.1f, 0.5f, 0));
        assertThrows(IllegalArgumentException.class, () -> new LearningRateSchedule(0.1f, 1, -1));
    }
}
