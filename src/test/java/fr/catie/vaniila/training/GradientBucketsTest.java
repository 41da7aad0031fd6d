package fr.catie.vaniila.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class GradientBucketsTest {

    @Test
    void wholeParametersArePackedInOrderUpToTheBucketSize() {
        GradientBuckets b = GradientBuckets.pack(new int[] {4, 5, 30, 2, 3, 7, 1}, 12);
        assertEquals(List.of(
                new GradientBuckets.Bucket(0, 2, 0, 9),     // 4 + 5; adding 30 would pass 12
                new GradientBuckets.Bucket(2, 3, 9, 30),    // larger than a bucket: alone
                new GradientBuckets.Bucket(3, 6, 39, 12),   // 2 + 3 + 7 fills it exactly
                new GradientBuckets.Bucket(6, 7, 51, 1)), b.buckets());
    }

    @Test
    void aSmallModelIsOneBucket() {
        assertEquals(List.of(new GradientBuckets.Bucket(0, 3, 0, 60)),
                GradientBuckets.pack(new int[] {10, 20, 30}, 1 << 20).buckets());
    }

    @Test
    void aBucketHoldsAtLeastOneFloat() {
        assertThrows(IllegalArgumentException.class, () -> GradientBuckets.pack(new int[] {1}, 0));
    }
}
