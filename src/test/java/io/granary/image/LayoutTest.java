package io.granary.image;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LayoutTest {

    private static Layout layout(int width, int height, String query) {
        return Layout.of(width, height, RenditionSpecTest.spec(query, null));
    }

    @Test
    void coverCropsTheLargestCentredPartOfTheBoxsShape() {
        Layout cover = layout(400, 300, "width=150&height=150");
        assertThat(cover).isEqualTo(new Layout(150, 150, 150, 150, 0, 0, 50, 0, 300, 300));
        assertThat(layout(400, 300, "width=150&height=150&focal=0,0").cropX()).isZero();
        assertThat(layout(400, 300, "width=150&height=150&focal=100,100").cropX()).isEqualTo(100);
        assertThat(layout(400, 300, "width=150&height=150&focal=60,50").cropX()).isEqualTo(90);
        assertThat(layout(100, 100, "width=400&height=200")).isEqualTo(new Layout(400, 200, 400, 200, 0, 0, 0, 25, 100, 50));
    }

    @Test
    void containPadsToTheBox() {
        assertThat(layout(400, 300, "width=200&height=200&fit=contain")).isEqualTo(new Layout(200, 200, 200, 150, 0, 25, 0, 0, 400, 300));
        assertThat(layout(100, 50, "width=400&height=400&fit=contain").contentWidth()).isEqualTo(400); // enlarges
    }

    @Test
    void insideNeverEnlargesAndFillStretches() {
        assertThat(layout(400, 300, "width=200&height=200&fit=inside")).isEqualTo(new Layout(200, 150, 200, 150, 0, 0, 0, 0, 400, 300));
        assertThat(layout(400, 300, "width=2000&height=2000&fit=inside").canvasWidth()).isEqualTo(400);
        assertThat(layout(400, 300, "width=2000").canvasWidth()).isEqualTo(400);
        assertThat(layout(400, 300, "height=600&fit=cover").canvasWidth()).isEqualTo(800);
        assertThat(layout(400, 300, "width=50&height=500&fit=fill")).isEqualTo(new Layout(50, 500, 50, 500, 0, 0, 0, 0, 400, 300));
    }

    @Test
    void noSideIsEverLargerThan4096() {
        assertThat(layout(8000, 6000, "quality=80")).isEqualTo(new Layout(4096, 3072, 4096, 3072, 0, 0, 0, 0, 8000, 6000));
        Layout tall = layout(10, 50_000, "width=4096&fit=cover");
        assertThat(tall.canvasHeight()).isEqualTo(4096);
        assertThat(tall.canvasWidth()).isEqualTo(1);
        assertThat(layout(1, 1, "quality=80").canvasWidth()).isEqualTo(1);
    }

    @Test
    void subsamplingKeepsTwoAndAHalfSourcePixelsPerRenditionPixelAndSkipsAtMostThree() {
        assertThat(RenderJob.step(4000 / 800.0, 3000 / 600.0)).isEqualTo(2);
        assertThat(RenderJob.step(4000 / 1600.0, 3000 / 1200.0)).isEqualTo(1);
        assertThat(RenderJob.step(4000 / 150.0, 3000 / 150.0)).isEqualTo(4);
        assertThat(RenderJob.step(1, 1)).isEqualTo(1);
    }
}
