reset
set terminal svg size 380,260 dynamic font "sans,10" background "#ffffff"
set output 'r0-sweep.svg'
set termoption noenhanced
set encoding utf8
set datafile separator "\t"
set lmargin at screen 0.18
set rmargin at screen 0.97
set bmargin at screen 0.2
set tmargin at screen 0.86
set xrange [0.9:3.1]
set yrange [0:10.7923]
set border 3 lc rgb "#666666"
set tics nomirror out scale 0.6 textcolor rgb "#333333"
set grid ytics lc rgb "#e6e6e6" lw 1 dt 1
set key at screen 0.18, 0.995 left top horizontal samplen 1.5 spacing 1 font ",9" textcolor rgb "#333333"

set label 'breaking point 100' at 2, graph 0.96 left offset character 0.5, 0 front textcolor rgb "#6a1b9a" font ",8"
set ylabel 'wall median (ms)' textcolor rgb "#333333"
set xlabel 'n (log scale)' offset 0, 0.6 textcolor rgb "#333333"
plot 'r0-sweep.dat' index 0 using 1:3:4 with filledcurves lc rgb "#a8c5e8" title '95% CI', \
     'r0-sweep.dat' index 0 using 1:2:xticlabels(5) with linespoints pt 7 ps 0.6 lw 1.5 lc rgb "#1f4e8c" title 'median', \
     '' index 1 using 1:2 with lines dt 4 lw 2 lc rgb "#ef6c00" title 'fitted O(n log n), O(n) not met', \
     '' index 2 using 1:2 with lines dt 3 lw 2 lc rgb "#6a1b9a" notitle
unset output
