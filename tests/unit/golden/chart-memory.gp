reset
set terminal svg size 380,260 dynamic font "sans,10" background "#ffffff"
set output 'r1-memory.svg'
set termoption noenhanced
set encoding utf8
set datafile separator "\t"
set lmargin at screen 0.18
set rmargin at screen 0.97
set bmargin at screen 0.13
set tmargin at screen 0.86
set xrange [0:0.012]
set yrange [0:35.64]
set border 3 lc rgb "#666666"
set tics nomirror out scale 0.6 textcolor rgb "#333333"
set grid ytics lc rgb "#e6e6e6" lw 1 dt 1
set key at screen 0.18, 0.995 left top horizontal samplen 1.5 spacing 1 font ",9" textcolor rgb "#333333"

set ylabel 'RSS (MiB)' textcolor rgb "#333333"
set xlabel 'seconds' textcolor rgb "#333333"
plot 'r1-memory.dat' using 1:2 with lines lw 1.5 lc rgb "#6a1b9a" title 'RSS'
unset output
