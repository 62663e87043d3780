reset
set terminal svg size 760,260 dynamic font "sans,10" background "#ffffff"
set output 'r1-trend.svg'
set termoption noenhanced
set encoding utf8
set datafile separator "\t"
set lmargin at screen 0.09
set rmargin at screen 0.955
set bmargin at screen 0.13
set tmargin at screen 0.86
set xrange [0.5:12.5]
set yrange [9.59108:12.6204]
set border 3 lc rgb "#666666"
set tics nomirror out scale 0.6 textcolor rgb "#333333"
set grid ytics lc rgb "#e6e6e6" lw 1 dt 1
set key at screen 0.09, 0.995 left top horizontal samplen 1.5 spacing 1 font ",9" textcolor rgb "#333333"

set ylabel 'wall median (ms)' textcolor rgb "#333333"
set label 'threshold 20.0 ms ↑' at graph 1, graph 1 right offset character -0.5, character -0.8 front textcolor rgb "#c62828" font ",9"
plot 'r1-trend.dat' index 1 using 1:4:5 with filledcurves lc rgb "#dbe7f5" title 'p5-p95', \
     '' index 1 using 1:2:3 with filledcurves lc rgb "#a8c5e8" title 'p25-p75', \
     '' index 0 using 1:2 with lines lw 1.5 lc rgb "#1f4e8c" title 'median', \
     '' index 3 using 1:2 with lines dt 3 lw 2 lc rgb "#2e7d32" title 'baseline', \
     '' index 4 using 1:2 with lines dt 4 lw 1 lc rgb "#777777" title 'change point', \
     '' index 5 using 1:2 with lines lw 2 lc rgb "#ef6c00" title 'segment mean', \
     '' index 2 using 1:(NaN):xticlabels(2) notitle
unset output
